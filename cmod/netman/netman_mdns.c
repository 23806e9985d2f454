/*
 * mDNS in the core: the hostname and services to advertise, and when (while
 * the station has an address: every reconnect announces the new address).
 * The port runs the responder.
 *
 * The config (hostname and up to NETMAN_MDNS_MAX_SERVICES services, over a
 * kilobyte) lives on the GC heap from the first mdns_config() of a session
 * until the network stops; a new config is copied into the same block once
 * the responder, which reads it while it runs, has stopped.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_core.h"

MP_REGISTER_ROOT_POINTER(void *netman_mdns_config);

#define mdns_config ((netman_mdns_config_t *)MP_STATE_VM(netman_mdns_config))

static bool mdns_enabled;
static bool mdns_running;
static uint32_t mdns_address;
static uint16_t mdns_suffix;

netman_service_action_t netman_mdns_apply_locked(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_GOT_IP:
            if (mdns_enabled) {
                mdns_address = event->u.ip.address;
                mdns_running = true;
                return NETMAN_SERVICE_START;
            }
            break;
        case NETMAN_EV_STA_DISCONNECTED:
        case NETMAN_EV_RADIO_LOST:
            if (mdns_running) {
                mdns_running = false;
                return NETMAN_SERVICE_STOP;
            }
            break;
        case NETMAN_EV_MDNS_NAME:
            mdns_suffix = event->u.mdns_suffix;
            break;
        default:
            break;
    }
    return NETMAN_SERVICE_NONE;
}

// Start the responder. The config does not change while it runs (see
// configure). A refusal leaves it stopped, and mdns_status() says so.
static void start_responder(void) {
    if (netman_hal_mdns_start(mdns_config, mdns_address) != NETMAN_OK) {
        netman_hal_lock();
        mdns_running = false;
        netman_hal_unlock();
    }
}

void netman_mdns_perform(netman_service_action_t action) {
    if (action == NETMAN_SERVICE_START) {
        start_responder();
    } else if (action == NETMAN_SERVICE_STOP) {
        netman_hal_mdns_stop();
    }
}

void netman_mdns_configure(const netman_mdns_config_t *config) {
    if (config != NULL && mdns_config == NULL) {
        netman_mdns_config_t *block = m_new(netman_mdns_config_t, 1);
        netman_hal_lock();
        MP_STATE_VM(netman_mdns_config) = block;
        netman_hal_unlock();
    }
    netman_hal_lock();
    bool was_running = mdns_running;
    mdns_running = false;
    netman_hal_unlock();
    if (was_running) {
        netman_hal_mdns_stop();
    }
    netman_hal_lock();
    mdns_enabled = config != NULL;
    if (config != NULL) {
        *mdns_config = *config;
    }
    mdns_suffix = 0;
    mdns_running = was_running && mdns_enabled;
    netman_hal_unlock();
    if (mdns_running) {
        start_responder();
    }
}

void netman_mdns_reset(void) {
    netman_hal_lock();
    mdns_enabled = false;
    mdns_running = false;
    mdns_suffix = 0;
    netman_mdns_config_t *block = mdns_config;
    MP_STATE_VM(netman_mdns_config) = NULL;
    netman_hal_unlock();
    m_del(netman_mdns_config_t, block, 1);
}

bool netman_mdns_get(char hostname[NETMAN_MDNS_NAME_MAX + 1], uint16_t *suffix, uint32_t *address) {
    netman_hal_lock();
    bool running = mdns_running;
    strcpy(hostname, mdns_config != NULL ? mdns_config->hostname : "");
    *suffix = mdns_suffix;
    *address = mdns_address;
    netman_hal_unlock();
    return running;
}
