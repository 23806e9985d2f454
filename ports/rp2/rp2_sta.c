/*
 * The station: joining through the cyw43 driver, and the watch that turns
 * its join state and the lwIP netif into events.
 *
 * The driver keeps what its asynchronous events said in a join state
 * (cyw43_wifi_link_status) and raises the netif link when it is keyed:
 *   join state "no net" / "bad auth" / "fail"  -> the join failed, and why;
 *   joined and the link up                      -> associated;
 *   an address on the netif (DHCP bound)        -> got an address;
 *   the link down while still joined           -> the chip lost the AP's
 *                                                   beacons: a beacon timeout
 *                                                   (the chip looks for the AP
 *                                                   again; after a grace period
 *                                                   we give up);
 *   the join state cleared while connected      -> the AP sent us away.
 */
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/netif.h"

#include "rp2_port.h"

// A join that has neither failed nor succeeded by then has found no AP.
#define JOIN_TIMEOUT_MS (20000)
// How long the chip may look for a lost AP before we call it gone.
#define BEACON_GRACE_MS (8000)

typedef enum {
    STA_IDLE,
    STA_JOINING,
    STA_ASSOCIATED,     // link up, waiting for an address
    STA_UP,             // link up with an address
    STA_LEAVING,        // left; reported at the next tick
} sta_state_t;

static struct {
    sta_state_t state;
    uint32_t since_ms;          // when the state was entered
    bool beacons_lost;          // link down while still joined
    uint32_t lost_since_ms;
    bool secured;               // joined with a PSK
    bool static_ip;
    netman_ip_t ip;             // the static address, if static_ip
} sta;

// A join asked for in driver context (the core's reconnect) runs in the
// MicroPython thread: the driver's join waits with the VM's event hook.
static netman_sta_params_t pending_join;
static mp_sched_node_t join_node;

static struct netif *sta_netif(void) {
    return &cyw43_state.netif[CYW43_ITF_STA];
}

// Leave the AP. The driver's leave only asks the chip; the netif link goes
// down here so that lwIP (and the next join's watch) never sees a stale link.
static void leave(void) {
    cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
    MICROPY_PY_LWIP_ENTER
    netif_set_link_down(sta_netif());
    MICROPY_PY_LWIP_EXIT
}

static void enter(sta_state_t state, uint32_t now_ms) {
    sta.state = state;
    sta.since_ms = now_ms;
    sta.beacons_lost = false;
}

static void post_disconnected(netman_reason_t reason, uint32_t now_ms) {
    enter(STA_IDLE, now_ms);
    netman_event_t event = { .kind = NETMAN_EV_STA_DISCONNECTED };
    event.u.reason = reason;
    netman_core_post(&event);
}

static void post_connected(void) {
    netman_event_t event = { .kind = NETMAN_EV_STA_CONNECTED };
    int32_t rssi = 0;
    cyw43_wifi_get_bssid(&cyw43_state, event.u.assoc.bssid);
    cyw43_wifi_get_rssi(&cyw43_state, &rssi);
    event.u.assoc.rssi = (int8_t)rssi;
    event.u.assoc.channel = rp2_channel(CYW43_ITF_STA);
    event.u.assoc.authmode = sta.secured ? NETMAN_AUTH_WPA2_PSK : NETMAN_AUTH_OPEN;
    netman_core_post(&event);
}

static void post_got_ip(void) {
    struct netif *netif = sta_netif();
    netman_event_t event = { .kind = NETMAN_EV_STA_GOT_IP };
    event.u.ip.address = rp2_ip_from_lwip(netif_ip4_addr(netif));
    event.u.ip.netmask = rp2_ip_from_lwip(netif_ip4_netmask(netif));
    event.u.ip.gateway = rp2_ip_from_lwip(netif_ip4_gw(netif));
    const ip_addr_t *dns = dns_getserver(0);
    event.u.ip.dns = rp2_ip_from_lwip(ip_2_ip4(dns));
    netman_core_post(&event);
}

static bool has_address(void) {
    struct netif *netif = sta_netif();
    return !ip4_addr_isany_val(*netif_ip4_addr(netif))
           && (sta.static_ip || dhcp_supplied_address(netif));
}

void rp2_sta_watch(uint32_t now_ms) {
    if (sta.state == STA_IDLE) {
        return;
    }
    int join = cyw43_wifi_link_status(&cyw43_state, CYW43_ITF_STA);
    bool link = netif_is_link_up(sta_netif());
    uint32_t elapsed = now_ms - sta.since_ms;
    switch (sta.state) {
        case STA_JOINING:
            if (join == CYW43_LINK_BADAUTH) {
                leave();
                post_disconnected(NETMAN_REASON_AUTH_FAILED, now_ms);
            } else if (join == CYW43_LINK_NONET) {
                post_disconnected(NETMAN_REASON_NO_AP_FOUND, now_ms);
            } else if (join == CYW43_LINK_FAIL) {
                post_disconnected(NETMAN_REASON_ASSOC_FAILED, now_ms);
            } else if (join == CYW43_LINK_JOIN && link) {
                enter(STA_ASSOCIATED, now_ms);
                post_connected();
            } else if (elapsed >= JOIN_TIMEOUT_MS) {
                leave();
                post_disconnected(NETMAN_REASON_NO_AP_FOUND, now_ms);
            }
            break;
        case STA_ASSOCIATED:
        case STA_UP:
            if (join != CYW43_LINK_JOIN) {
                // The association is gone: after lost beacons the chip gave
                // up; otherwise the AP deauthenticated or disassociated us.
                post_disconnected(sta.beacons_lost ? NETMAN_REASON_BEACON_TIMEOUT : NETMAN_REASON_AP_LEFT, now_ms);
            } else if (!link) {
                if (!sta.beacons_lost) {
                    sta.beacons_lost = true;
                    sta.lost_since_ms = now_ms;
                    netman_event_t event = { .kind = NETMAN_EV_STA_BEACON_TIMEOUT };
                    netman_core_post(&event);
                } else if (now_ms - sta.lost_since_ms >= BEACON_GRACE_MS) {
                    leave();
                    post_disconnected(NETMAN_REASON_BEACON_TIMEOUT, now_ms);
                }
            } else {
                sta.beacons_lost = false;
                if (sta.state == STA_ASSOCIATED && has_address()) {
                    sta.state = STA_UP;
                    post_got_ip();
                }
            }
            break;
        case STA_LEAVING:
            // The chip took the leave with the request (an ioctl answers
            // when done): report it at the next tick.
            post_disconnected(NETMAN_REASON_BY_REQUEST, now_ms);
            break;
        case STA_IDLE:
            break;
    }
}

static void configure_addressing(const netman_sta_params_t *params) {
    struct netif *netif = sta_netif();
    MICROPY_PY_LWIP_ENTER
    if (params->static_ip) {
        ip4_addr_t address, netmask, gateway;
        ip_addr_t dns;
        rp2_ip_to_lwip(params->ip.address, &address);
        rp2_ip_to_lwip(params->ip.netmask, &netmask);
        rp2_ip_to_lwip(params->ip.gateway, &gateway);
        rp2_ip_to_lwip(params->ip.dns, ip_2_ip4(&dns));
        IP_SET_TYPE_VAL(dns, IPADDR_TYPE_V4);
        dhcp_release_and_stop(netif);
        netif_set_addr(netif, &address, &netmask, &gateway);
        dns_setserver(0, &dns);
    } else {
        netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
        // With LWIP_DHCP_CHECK_LINK_UP the client waits for the link.
        dhcp_start(netif);
    }
    MICROPY_PY_LWIP_EXIT
}

static netman_err_t join_now(void) {
    netman_sta_params_t params;
    netman_hal_lock();
    params = pending_join;
    memset(&pending_join, 0, sizeof(pending_join));
    netman_hal_unlock();
    // DHCP sends the network module's hostname: the same one network.hostname() sets.
    snprintf(mod_network_hostname_data, sizeof(mod_network_hostname_data), "%s", params.hostname);
    if (netif_is_link_up(sta_netif())) {
        leave(); // joined elsewhere: the new join must not see the old link
    }
    configure_addressing(&params);
    uint32_t auth = params.psk_len > 0 ? CYW43_AUTH_WPA2_MIXED_PSK : CYW43_AUTH_OPEN;
    // With a BSSID the driver joins that AP through the firmware's "join"
    // variable, on whichever channel it finds it (cyw43_ll.c, cyw43_ll_wifi_join).
    int ret = cyw43_wifi_join(&cyw43_state, params.ssid_len, params.ssid, params.psk_len, params.psk,
        auth, params.bssid_set ? params.bssid : NULL, CYW43_CHANNEL_NONE);
    netman_hal_lock();
    sta.secured = params.psk_len > 0;
    sta.static_ip = params.static_ip;
    enter(ret == 0 ? STA_JOINING : STA_IDLE, mp_hal_ticks_ms());
    netman_hal_unlock();
    memset(&params, 0, sizeof(params));
    return ret == 0 ? NETMAN_OK : rp2_fail(NETMAN_ERR_IO, "the WiFi chip refused to join");
}

static void join_scheduled(mp_sched_node_t *node) {
    (void)node;
    netman_hal_lock();
    bool wanted = pending_join.ssid_len > 0;
    netman_hal_unlock();
    if (!wanted) {
        return; // the network closed (rp2_sta_reset) before this ran
    }
    if (join_now() != NETMAN_OK) {
        // Nobody waits for this request's answer: the core hears it as a failed join.
        netman_event_t event = { .kind = NETMAN_EV_STA_DISCONNECTED };
        event.u.reason = NETMAN_REASON_ASSOC_FAILED;
        netman_core_post(&event);
    }
}

netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params) {
    if (params->eap != NULL) {
        // cyw43_ll_wifi_join() takes open, WPA/WPA2 PSK and WPA3 SAE only:
        // the driver has no 802.1X supplicant (cyw43_ll.c).
        return rp2_fail(NETMAN_ERR_UNSUPPORTED, "station: WPA2-Enterprise: not on rp2, the cyw43 driver has no 802.1X");
    }
    netman_hal_lock();
    pending_join = *params;
    netman_hal_unlock();
    if (rp2_in_driver_context()) {
        mp_sched_schedule_node(&join_node, join_scheduled);
        return NETMAN_OK;
    }
    return join_now();
}

netman_err_t netman_hal_sta_disconnect(void) {
    leave();
    netman_hal_lock();
    enter(STA_LEAVING, mp_hal_ticks_ms());
    netman_hal_unlock();
    return NETMAN_OK;
}

netman_err_t netman_hal_sta_rssi(int8_t *rssi) {
    netman_hal_lock();
    bool associated = sta.state == STA_ASSOCIATED || sta.state == STA_UP;
    netman_hal_unlock();
    int32_t dbm = 0;
    if (!associated || cyw43_wifi_get_rssi(&cyw43_state, &dbm) != 0) {
        return rp2_fail(NETMAN_ERR_STATE, "not associated with an AP");
    }
    *rssi = (int8_t)dbm;
    return NETMAN_OK;
}

void rp2_sta_reset(void) {
    leave();
    netman_hal_lock();
    memset(&sta, 0, sizeof(sta));
    memset(&pending_join, 0, sizeof(pending_join));
    netman_hal_unlock();
}
