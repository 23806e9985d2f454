/*
 * Our access point on the CYW43439, with MicroPython's DHCP server (the
 * cyw43 driver starts it on the AP netif, 192.168.4.1/24). The watch compares
 * the chip's association list and the server's leases with what it reported
 * before, and posts the differences (rp2_link_rules.c, rp2_stations_next_change):
 * every STATIONS_EVERY_MS, and at once when the chip says a station came or
 * went (an ASSOC_IND / DISASSOC_IND on our AP, rp2_events.c).
 */
#include <string.h>

#include "py/misc.h"
#include "py/mphal.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_country.h"
#include "lib/cyw43-driver/src/cyw43_ll.h"
#include "lwip/netif.h"
#include "pico/unique_id.h"
#include "shared/netutils/dhcpserver.h"

#include "rp2_port.h"

// The association list and the channel are read over the bus: not every tick.
#define STATIONS_EVERY_MS (500)

// Not #if: MicroPython's qstr pass preprocesses without the module's
// compile definitions (netman_port.cmake).
MP_STATIC_ASSERT(NETMAN_AP_MAX_STATIONS <= DHCPS_MAX_IP);

// The firmware's maxassoc before ours, put back when our AP stops.
static bool maxassoc_saved;
static uint32_t maxassoc_before;

static struct {
    bool running;
    bool started;               // NETMAN_EV_AP_STARTED posted
    uint8_t channel;
    uint32_t checked_ms;
    rp2_stations_t known;
} ap;

static struct netif *ap_netif(void) {
    return &cyw43_state.netif[CYW43_ITF_AP];
}

bool rp2_ap_is_up(void) {
    return ap.started;
}

static void post_station(netman_event_kind_t kind, const uint8_t mac[NETMAN_MAC_LEN], int8_t rssi, uint32_t address) {
    netman_event_t event = { .kind = kind };
    memcpy(event.u.station.mac, mac, NETMAN_MAC_LEN);
    event.u.station.rssi = rssi;
    event.u.station.address = address;
    netman_core_post(&event);
}

static int8_t station_rssi(const uint8_t mac[NETMAN_MAC_LEN]) {
    // WLC_GET_RSSI on the AP interface takes a station's MAC and answers its
    // signal strength in the first word.
    uint8_t buf[4 + NETMAN_MAC_LEN] = {0};
    memcpy(buf + 4, mac, NETMAN_MAC_LEN);
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_GET_RSSI, sizeof(buf), buf, CYW43_ITF_AP) != 0) {
        return 0;
    }
    return (int8_t)buf[0];
}

static void watch_stations(void) {
    uint8_t macs[NETMAN_AP_MAX_STATIONS * NETMAN_MAC_LEN];
    int count = NETMAN_AP_MAX_STATIONS;
    cyw43_wifi_ap_get_stas(&cyw43_state, &count, macs);
    uint8_t mac[NETMAN_MAC_LEN];
    uint8_t kind;
    while ((kind = rp2_stations_next_change(&ap.known, macs, count, mac)) != 0) {
        post_station(kind, mac, kind == NETMAN_EV_AP_STA_CONNECTED ? station_rssi(mac) : 0, 0);
    }
}

static void watch_leases(void) {
    const dhcp_server_t *server = &cyw43_state.dhcp_server;
    uint32_t base = rp2_ip_from_lwip(ip_2_ip4(&server->ip)) & 0xffffff00u;
    for (int i = 0; i < ap.known.count; i++) {
        rp2_station_t *station = &ap.known.stations[i];
        // The server keeps one lease per MAC.
        int l = rp2_mac_index(server->lease[0].mac, sizeof(server->lease[0]), DHCPS_MAX_IP, station->mac);
        if (!station->addressed && l >= 0 && server->lease[l].expiry != 0) {
            station->addressed = true;
            post_station(NETMAN_EV_AP_STA_IP_ASSIGNED, station->mac, 0, base | (DHCPS_BASE_IP + l));
        }
    }
}

void rp2_ap_watch(uint32_t now_ms, uint32_t events) {
    if (!ap.running) {
        return;
    }
    struct netif *netif = ap_netif();
    if (!ap.started) {
        if (!netif_is_link_up(netif)) {
            return;
        }
        ap.started = true;
        ap.checked_ms = now_ms;
        netman_event_t event = { .kind = NETMAN_EV_AP_STARTED };
        event.u.ap.address = rp2_ip_from_lwip(netif_ip4_addr(netif));
        event.u.ap.netmask = rp2_ip_from_lwip(netif_ip4_netmask(netif));
        event.u.ap.channel = ap.channel;
        netman_core_post(&event);
        return;
    }
    if (now_ms - ap.checked_ms < STATIONS_EVERY_MS && !(events & RP2_EV_AP_STATION)) {
        watch_leases();
        return;
    }
    ap.checked_ms = now_ms;
    watch_stations();
    watch_leases();
    // One radio: while our station is joined elsewhere the AP is on that
    // AP's channel, and back on its own when the station leaves.
    uint8_t channel = rp2_channel(CYW43_ITF_AP);
    if (channel != 0 && channel != ap.channel) {
        ap.channel = channel;
        netman_event_t event = { .kind = NETMAN_EV_AP_CHANNEL };
        event.u.channel = channel;
        netman_core_post(&event);
    }
}

// A 32-bit firmware variable, read back: the driver drops the firmware's
// answer to a set (cyw43_ll.c, cyw43_do_ioctl), so a refused setting shows
// only as a value that did not change.
static bool set_and_check(const char *name, uint32_t value, int itf) {
    uint32_t now;
    return rp2_set_iovar_u32(name, value, itf) && rp2_get_iovar_u32(name, itf, &now) && now == value;
}

static uint32_t country(void) {
    return CYW43_COUNTRY(mod_network_country_code[0], mod_network_country_code[1], 0);
}

netman_err_t netman_hal_ap_start(const netman_ap_params_t *params) {
    // A change to a running AP: the chip takes new settings only while it is down.
    rp2_ap_reset();
    cyw43_wifi_ap_set_ssid(&cyw43_state, params->ssid_len, params->ssid);
    cyw43_wifi_ap_set_password(&cyw43_state, params->psk_len, params->psk);
    uint32_t auth = params->psk_len > 0 ? CYW43_AUTH_WPA2_AES_PSK : CYW43_AUTH_OPEN;
    cyw43_wifi_ap_set_auth(&cyw43_state, auth);
    cyw43_wifi_ap_set_channel(&cyw43_state, params->channel);
    // The settings the driver has no call for must be in the firmware before
    // the BSS goes up, and cyw43_wifi_set_up() configures the AP and brings
    // it up in one go (cyw43_ctrl.c: cyw43_wifi_ap_init, then
    // cyw43_wifi_ap_set_up). So the AP's bsscfg is configured first with the
    // same low-level call (cyw43_ll_wifi_ap_init), the two variables set and
    // read back, and then cyw43_wifi_set_up() configures it once more (the
    // BSS is not up yet) and brings it up; that configuration writes neither
    // variable, so they stand.
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    CYW43_THREAD_ENTER;
    cyw43_ll_wifi_ap_init(&cyw43_state.cyw43_ll, params->ssid_len, params->ssid, auth, params->psk_len, params->psk,
        params->channel);
    CYW43_THREAD_EXIT;
    const char *refused = NULL;
    if (!maxassoc_saved) {
        maxassoc_saved = rp2_get_iovar_u32("maxassoc", CYW43_ITF_STA, &maxassoc_before);
    }
    if (!set_and_check("maxassoc", params->max_connections, CYW43_ITF_STA)) {
        refused = "the WiFi chip refused the access point's max_connections";
    } else if (!set_and_check("closednet", params->hidden, CYW43_ITF_AP)) {
        refused = "the WiFi chip refused the access point's ssid_hidden";
    }
    if (refused != NULL) {
        rp2_ap_restore_defaults();
        rp2_release_interrupt(held);
        return rp2_fail(NETMAN_ERR_IO, refused);
    }
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, true, country());
    rp2_release_interrupt(held);
    netman_hal_lock();
    // The lwIP glue has just made the AP's netif the default
    // (cyw43_lwip.c, cyw43_cb_tcpip_init): the station's again at once.
    rp2_route_watch();
    memset(&ap, 0, sizeof(ap));
    ap.channel = params->channel;
    ap.running = true;
    netman_hal_unlock();
    return NETMAN_OK;
}

netman_err_t netman_hal_ap_stop(void) {
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    rp2_ap_reset();
    rp2_release_interrupt(held);
    return NETMAN_OK;
}

// Leave the driver's AP settings as MicroPython's rp2 main.c makes them at
// power-up, for network.WLAN(network.AP_IF) after us: "PICO" and four hex
// digits of the board id, WPA2 with "picoW123", channel 3 (cyw43_init).
void rp2_ap_restore_defaults(void) {
    static const char hex[16] = "0123456789ABCDEF";
    pico_unique_board_id_t id;
    pico_get_unique_board_id(&id);
    uint8_t ssid[8] = { 'P', 'I', 'C', 'O', hex[id.id[7] >> 4], hex[id.id[6] & 0xf], hex[id.id[5] >> 4],
                        hex[id.id[4] & 0xf] };
    cyw43_wifi_ap_set_ssid(&cyw43_state, sizeof(ssid), ssid);
    cyw43_wifi_ap_set_auth(&cyw43_state, CYW43_AUTH_WPA2_AES_PSK);
    // The driver keeps the AP's key for restarts: ours goes.
    memset(cyw43_state.ap_key, 0, sizeof(cyw43_state.ap_key));
    cyw43_wifi_ap_set_password(&cyw43_state, 8, (const uint8_t *)"picoW123");
    cyw43_wifi_ap_set_channel(&cyw43_state, 3);
    // And the firmware's own values of what the driver never sets.
    rp2_set_iovar_u32("closednet", 0, CYW43_ITF_AP);
    if (maxassoc_saved) {
        rp2_set_iovar_u32("maxassoc", maxassoc_before, CYW43_ITF_STA);
    }
}

void rp2_ap_reset(void) {
    netman_hal_lock();
    bool running = ap.running;
    memset(&ap, 0, sizeof(ap));
    netman_hal_unlock();
    if (running) {
        cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, false, 0);
        rp2_ap_restore_defaults();
    }
}

// cyw43_wifi_get_mac() gives the one WLAN MAC for either interface.
netman_err_t netman_hal_ap_mac(uint8_t mac[NETMAN_MAC_LEN]) {
    cyw43_wifi_get_mac(&cyw43_state, CYW43_ITF_AP, mac);
    return NETMAN_OK;
}
