/*
 * Our access point on the CYW43439, with MicroPython's DHCP server (the
 * cyw43 driver starts it on the AP netif, 192.168.4.1/24). The watch compares
 * the chip's association list and the server's leases with what it reported
 * before, and posts the differences.
 */
#include <string.h>

#include "py/mphal.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_country.h"
#include "lwip/netif.h"
#include "shared/netutils/dhcpserver.h"

#include "rp2_port.h"

// The association list and the channel are read over the bus: not every tick.
#define STATIONS_EVERY_MS (500)

typedef struct {
    uint8_t mac[NETMAN_MAC_LEN];
    bool addressed;             // its lease was reported
} ap_station_t;

static struct {
    bool running;
    bool started;               // NETMAN_EV_AP_STARTED posted
    uint8_t channel;
    uint32_t checked_ms;
    uint8_t count;
    ap_station_t stations[NETMAN_AP_MAX_STATIONS];
} ap;

static struct netif *ap_netif(void) {
    return &cyw43_state.netif[CYW43_ITF_AP];
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

// Where mac is in a list of count MACs, or -1.
static int find_mac(const uint8_t *macs, size_t stride, int count, const uint8_t mac[NETMAN_MAC_LEN]) {
    for (int i = 0; i < count; i++) {
        if (memcmp(macs + i * stride, mac, NETMAN_MAC_LEN) == 0) {
            return i;
        }
    }
    return -1;
}

static void watch_stations(void) {
    uint8_t macs[NETMAN_AP_MAX_STATIONS * NETMAN_MAC_LEN];
    int count = NETMAN_AP_MAX_STATIONS;
    cyw43_wifi_ap_get_stas(&cyw43_state, &count, macs);
    // Left: in our list, not in the chip's.
    for (int i = 0; i < ap.count;) {
        if (find_mac(macs, NETMAN_MAC_LEN, count, ap.stations[i].mac) >= 0) {
            i++;
            continue;
        }
        uint8_t gone[NETMAN_MAC_LEN];
        memcpy(gone, ap.stations[i].mac, NETMAN_MAC_LEN);
        ap.stations[i] = ap.stations[--ap.count];
        post_station(NETMAN_EV_AP_STA_DISCONNECTED, gone, 0, 0);
    }
    // Joined: in the chip's list, not in ours.
    for (int i = 0; i < count && ap.count < NETMAN_AP_MAX_STATIONS; i++) {
        const uint8_t *mac = macs + i * NETMAN_MAC_LEN;
        if (find_mac(ap.stations[0].mac, sizeof(ap_station_t), ap.count, mac) < 0) {
            ap_station_t *station = &ap.stations[ap.count++];
            memcpy(station->mac, mac, NETMAN_MAC_LEN);
            station->addressed = false;
            post_station(NETMAN_EV_AP_STA_CONNECTED, mac, station_rssi(mac), 0);
        }
    }
}

static void watch_leases(void) {
    const dhcp_server_t *server = &cyw43_state.dhcp_server;
    uint32_t base = rp2_ip_from_lwip(ip_2_ip4(&server->ip)) & 0xffffff00u;
    for (int i = 0; i < ap.count; i++) {
        ap_station_t *station = &ap.stations[i];
        // The server keeps one lease per MAC.
        int l = find_mac(server->lease[0].mac, sizeof(server->lease[0]), DHCPS_MAX_IP, station->mac);
        if (!station->addressed && l >= 0 && server->lease[l].expiry != 0) {
            station->addressed = true;
            post_station(NETMAN_EV_AP_STA_IP_ASSIGNED, station->mac, 0, base | (DHCPS_BASE_IP + l));
        }
    }
}

void rp2_ap_watch(uint32_t now_ms) {
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
    if (now_ms - ap.checked_ms < STATIONS_EVERY_MS) {
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

netman_err_t netman_hal_ap_start(const netman_ap_params_t *params) {
    // A change to a running AP: the chip takes new settings only while it is down.
    rp2_ap_reset();
    cyw43_wifi_ap_set_ssid(&cyw43_state, params->ssid_len, params->ssid);
    cyw43_wifi_ap_set_password(&cyw43_state, params->psk_len, params->psk);
    cyw43_wifi_ap_set_auth(&cyw43_state, params->psk_len > 0 ? CYW43_AUTH_WPA2_AES_PSK : CYW43_AUTH_OPEN);
    cyw43_wifi_ap_set_channel(&cyw43_state, params->channel);
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, true,
        CYW43_COUNTRY(mod_network_country_code[0], mod_network_country_code[1], 0));
    // Settings the driver has no call for, given to the firmware directly.
    if (!rp2_set_iovar_u32("maxassoc", params->max_connections, CYW43_ITF_AP)
        || (params->hidden && !rp2_set_iovar_u32("closednet", 1, CYW43_ITF_AP))) {
        cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, false, 0);
        return rp2_fail(NETMAN_ERR_IO, "the WiFi chip refused the access point's settings");
    }
    netman_hal_lock();
    memset(&ap, 0, sizeof(ap));
    ap.channel = params->channel;
    ap.running = true;
    netman_hal_unlock();
    return NETMAN_OK;
}

netman_err_t netman_hal_ap_stop(void) {
    rp2_ap_reset();
    return NETMAN_OK;
}

void rp2_ap_reset(void) {
    netman_hal_lock();
    bool running = ap.running;
    memset(&ap, 0, sizeof(ap));
    netman_hal_unlock();
    if (running) {
        cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_AP, false, 0);
        // The driver keeps the PSK for restarts: not after ours stopped.
        memset(cyw43_state.ap_key, 0, sizeof(cyw43_state.ap_key));
        cyw43_state.ap_key_len = 0;
    }
}

// cyw43_wifi_get_mac() gives the one WLAN MAC for either interface.
netman_err_t netman_hal_ap_mac(uint8_t mac[NETMAN_MAC_LEN]) {
    cyw43_wifi_get_mac(&cyw43_state, CYW43_ITF_AP, mac);
    return NETMAN_OK;
}
