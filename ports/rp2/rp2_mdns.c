/*
 * mDNS over lwIP's responder. MicroPython's cyw43 glue already adds the
 * station netif to the responder under network.hostname(); netman renames
 * it, adds the configured services and announces. When probing finds the
 * name taken, the next free "<hostname>-<n>" is tried and, once it holds,
 * the core hears which suffix won.
 */
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lwip/apps/mdns.h"

#include "rp2_port.h"

static const netman_mdns_config_t *active_config;   // valid until netman_hal_mdns_stop()
static uint16_t suffix;
static uint8_t service_count;
static s8_t service_slots[NETMAN_MDNS_MAX_SERVICES];

static struct netif *sta_netif(void) {
    return &cyw43_state.netif[CYW43_ITF_STA];
}

static void empty_txt(struct mdns_service *service, void *userdata) {
    (void)userdata;
    // DNS-SD wants a TXT record; one empty string is the empty one (RFC 6763 6.1).
    mdns_resp_add_service_txtitem(service, "", 0);
}

// Driver context (lwIP, at PendSV).
static void on_name_result(struct netif *netif, u8_t result, s8_t slot) {
    if (active_config == NULL || netif != sta_netif() || slot >= 0) {
        return; // not ours, or about a service name
    }
    if (result == MDNS_PROBING_CONFLICT) {
        suffix = suffix == 0 ? 2 : suffix + 1;
        char name[NETMAN_MDNS_NAME_MAX + 1]; // lwIP copies it (mdns.c, mdns_resp_rename_netif)
        snprintf(name, sizeof(name), "%.*s-%u", NETMAN_MDNS_NAME_MAX - 6, active_config->hostname, suffix);
        mdns_resp_rename_netif(netif, name);
    } else if (suffix != 0) {
        netman_event_t event = { .kind = NETMAN_EV_MDNS_NAME };
        event.u.mdns_suffix = suffix;
        netman_core_post(&event);
    }
}

void rp2_mdns_open(void) {
    MICROPY_PY_LWIP_ENTER
    mdns_resp_register_name_result_cb(on_name_result);
    MICROPY_PY_LWIP_EXIT
}

static void remove_services(struct netif *netif) {
    for (uint8_t i = 0; i < service_count; i++) {
        if (service_slots[i] >= 0) {
            mdns_resp_del_service(netif, (u8_t)service_slots[i]);
        }
    }
    service_count = 0;
}

netman_err_t netman_hal_mdns_start(const netman_mdns_config_t *config, uint32_t address) {
    // The responder answers with the netif's own address; lwIP's TTLs are fixed.
    (void)address;
    struct netif *netif = sta_netif();
    netman_err_t result = NETMAN_OK;
    // Joining the mDNS group sets the chip's multicast filter, a driver call
    // with waits (cyw43_ll.c, cyw43_ll_wifi_update_multicast_filter).
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    MICROPY_PY_LWIP_ENTER
    remove_services(netif);
    active_config = config;
    suffix = 0;
    if (mdns_resp_rename_netif(netif, config->hostname) != ERR_OK
        && mdns_resp_add_netif(netif, config->hostname) != ERR_OK) {
        active_config = NULL;
        result = rp2_fail(NETMAN_ERR_IO, "lwIP's mDNS responder refused the hostname");
    }
    for (uint8_t i = 0; result == NETMAN_OK && i < config->service_count; i++) {
        const netman_mdns_service_t *service = &config->services[i];
        enum mdns_sd_proto proto = strcmp(service->proto, "_udp") == 0 ? DNSSD_PROTO_UDP : DNSSD_PROTO_TCP;
        service_slots[i] = mdns_resp_add_service(netif, service->instance, service->service, proto,
            service->port, empty_txt, NULL);
        service_count = i + 1;
        if (service_slots[i] < 0) {
            result = rp2_fail(NETMAN_ERR_IO, "lwIP's mDNS responder refused a service");
        }
    }
    if (result == NETMAN_OK) {
        mdns_resp_announce(netif);
    }
    MICROPY_PY_LWIP_EXIT
    rp2_release_interrupt(held);
    return result;
}

void netman_hal_mdns_stop(void) {
    struct netif *netif = sta_netif();
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    MICROPY_PY_LWIP_ENTER
    if (active_config != NULL) {
        remove_services(netif);
        active_config = NULL;
        // Back to the name the network module gave the netif.
        mdns_resp_rename_netif(netif, mod_network_hostname_data);
    }
    MICROPY_PY_LWIP_EXIT
    rp2_release_interrupt(held);
}
