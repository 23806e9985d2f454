/*
 * netman HAL: the whole contract between the port-free core and a target port.
 *
 * Requests go down as calls (made from the MicroPython thread, or from driver
 * context by the core's reconnect logic); completions come up as events that
 * the port hands to netman_core_post() from its driver context.
 *
 * No vendor header is included here or in the core.
 */
#ifndef NETMAN_HAL_H
#define NETMAN_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netman_frame.h"

#define NETMAN_MAC_LEN (6)
#define NETMAN_SSID_MAX (32)
#define NETMAN_PSK_MAX (64)
#define NETMAN_HOSTNAME_MAX (32)
#define NETMAN_SNTP_HOST_MAX (64)
// The most stations our AP takes; a port may lower it to what its driver
// and DHCP server really serve (netman_port.cmake).
#ifndef NETMAN_AP_MAX_STATIONS
#define NETMAN_AP_MAX_STATIONS (10)
#endif
#define NETMAN_MDNS_MAX_SERVICES (8)
#define NETMAN_MDNS_NAME_MAX (63)
#define NETMAN_ESPNOW_MAX_DATA (250)
#define NETMAN_ESPNOW_KEY_LEN (16)
#define NETMAN_ESPNOW_KEY_ID_LEN (8)

// Result codes of HAL requests (0 = accepted).
typedef enum {
    NETMAN_OK = 0,
    NETMAN_ERR_NO_RADIO,        // no driver / simulator reachable
    NETMAN_ERR_STATE,           // request not valid in the current driver state
    NETMAN_ERR_IO,              // the driver refused or the link failed
    NETMAN_ERR_BUSY,            // a request of that kind is already running
    NETMAN_ERR_UNSUPPORTED,     // the driver cannot do this; last_error names what and the port
} netman_err_t;

// Why the station left (or never reached) its AP, and why a service failed.
// Values are stable: the host build's wire protocol carries them. Those that
// end a connection (NETMAN_EV_STA_DISCONNECTED) are 1-7 and JOIN_REFUSED.
typedef enum {
    NETMAN_REASON_NONE = 0,
    NETMAN_REASON_AUTH_FAILED = 1,
    NETMAN_REASON_NO_AP_FOUND = 2,
    NETMAN_REASON_BEACON_TIMEOUT = 3,
    NETMAN_REASON_AP_LEFT = 4,
    NETMAN_REASON_BY_REQUEST = 5,
    NETMAN_REASON_ASSOC_FAILED = 6,
    NETMAN_REASON_NO_RADIO = 7,
    NETMAN_REASON_SSID_IN_USE = 8,  // our AP: another AP on the air has the SSID
    NETMAN_REASON_TIMEOUT = 9,      // SNTP: no answer in time
    NETMAN_REASON_BAD_REPLY = 10,   // SNTP: an answer that is not a valid time
    NETMAN_REASON_NO_SERVER = 11,   // SNTP: the server name does not resolve
    NETMAN_REASON_JOIN_REFUSED = 12, // the driver refused a join asked for in driver context
    NETMAN_REASON_START_FAILED = 13, // SNTP: the client could not start (no socket, no memory)
    NETMAN_REASON_COUNT,
} netman_reason_t;

// Authentication modes as a scan or join reports them (stable values).
typedef enum {
    NETMAN_AUTH_OPEN = 0,
    NETMAN_AUTH_WEP,
    NETMAN_AUTH_WPA_PSK,
    NETMAN_AUTH_WPA2_PSK,
    NETMAN_AUTH_WPA_WPA2_PSK,
    NETMAN_AUTH_WPA2_ENTERPRISE,
    NETMAN_AUTH_WPA3_PSK,
    NETMAN_AUTH_WPA2_WPA3_PSK,
    NETMAN_AUTH_WAPI_PSK,
    NETMAN_AUTH_OWE,
    NETMAN_AUTH_COUNT,
} netman_auth_t;

typedef enum {
    NETMAN_EV_STA_CONNECTED = 1,    // associated with an AP (u.assoc)
    NETMAN_EV_STA_GOT_IP,           // DHCP or static address in place (u.ip)
    NETMAN_EV_STA_DISCONNECTED,     // left the AP or a join failed (u.reason)
    NETMAN_EV_STA_BEACON_TIMEOUT,   // beacons missed; still associated
    NETMAN_EV_RADIO_LOST,           // the driver / simulator went away
    NETMAN_EV_TIMER,                // the one-shot timer fired (core-internal)
    NETMAN_EV_SCAN_DONE,            // a scan ended (u.scan_status); results were
                                    // handed over with netman_core_scan_result()
    NETMAN_EV_STA_CHANNEL,          // the AP we are on moved (u.channel)
    NETMAN_EV_AP_STARTED,           // our AP is up (u.ap: address, netmask, channel)
    NETMAN_EV_AP_FAILED,            // our AP could not start (u.reason)
    NETMAN_EV_AP_CHANNEL,           // our AP moved (u.channel), e.g. following our STA
    NETMAN_EV_AP_STA_CONNECTED,     // a station joined our AP (u.station: mac, rssi)
    NETMAN_EV_AP_STA_DISCONNECTED,  // a station left our AP (u.station: mac)
    NETMAN_EV_AP_STA_IP_ASSIGNED,   // our DHCP server gave a station an address (u.station)
    NETMAN_EV_SNTP_SYNC,            // the clock was synchronized (u.sntp)
    NETMAN_EV_SNTP_FAILED,          // a synchronization attempt failed (u.reason)
    NETMAN_EV_MDNS_NAME,            // mDNS probing settled our name (u.mdns_suffix)
    NETMAN_EV_ESPNOW_SENT,          // an ESP-NOW send completed (u.sent; core-internal)
    NETMAN_EV_TICK,                 // the facade's periodic tick (made by the core, not by ports)
    NETMAN_EV_RADIO_CHANNEL,        // the channel the radio uses while the station is not
                                    // joined and our AP is off (u.channel; core-internal)
} netman_event_kind_t;

typedef enum {
    NETMAN_SCAN_OK = 0,
    NETMAN_SCAN_FAILED,
    NETMAN_SCAN_CANCELED,
} netman_scan_status_t;

typedef struct {
    uint8_t bssid[NETMAN_MAC_LEN];
    uint8_t channel;
    uint8_t authmode;               // netman_auth_t
    int8_t rssi;                    // dBm at association
} netman_assoc_t;

// IPv4 addresses as numbers: a.b.c.d is a << 24 | b << 16 | c << 8 | d.
typedef struct {
    uint32_t address;
    uint32_t netmask;
    uint32_t gateway;
    uint32_t dns;
} netman_ip_t;

typedef struct {
    uint8_t kind;                   // netman_event_kind_t
    union {
        netman_assoc_t assoc;
        netman_ip_t ip;
        uint8_t reason;             // netman_reason_t
        uint8_t scan_status;        // netman_scan_status_t
        uint8_t channel;
        struct {
            uint32_t address;
            uint32_t netmask;
            uint8_t channel;
        } ap;
        struct {
            uint8_t mac[NETMAN_MAC_LEN];
            int8_t rssi;
            uint32_t address;
        } station;
        uint16_t mdns_suffix;       // 0: the configured hostname; n >= 2: "<hostname>-<n>"
        struct {
            bool acked;             // the peer (or, for broadcast, the air) took it
        } sent;
        struct {
            uint32_t tv_sec;        // the synchronized time (Unix epoch)
            uint32_t tv_usec;
            int64_t offset_ms;      // server clock minus our clock (may be years)
        } sntp;
    } u;
} netman_event_t;

// Our access point. psk_len 0 means an open network.
typedef struct {
    uint8_t ssid[NETMAN_SSID_MAX];
    uint8_t psk[NETMAN_PSK_MAX];
    uint8_t ssid_len;
    uint8_t psk_len;
    uint8_t channel;
    uint8_t max_connections;
    bool hidden;
} netman_ap_params_t;

// One access point as a scan saw it.
typedef struct {
    uint8_t bssid[NETMAN_MAC_LEN];
    uint8_t ssid[NETMAN_SSID_MAX];
    uint8_t ssid_len;               // 0 for a hidden network (unless probed by name)
    int8_t rssi;
    uint8_t channel;
    uint8_t authmode;               // netman_auth_t
    bool hidden;
} netman_scan_result_t;

// What to scan for. Ports pass the filters to the driver where it has them;
// the core applies them again to what comes back.
typedef struct {
    bool passive;
    bool show_hidden;
    uint16_t dwell_ms;              // per channel
    uint8_t channel;                // 0: all channels
    uint8_t ssid_len;               // 0: any SSID
    uint8_t ssid[NETMAN_SSID_MAX];
    bool match_bssid;
    uint8_t bssid[NETMAN_MAC_LEN];
} netman_scan_params_t;

// WPA2-Enterprise credentials (802.1X/EAP). Every field points into one
// block the core keeps (on the GC heap, wiped when the network stops), valid
// from the join until netman_hal_close(): a driver may keep the pointers (ESP-IDF
// does for certificates). Text fields are length-counted; each is followed by
// a NUL, which PEM parsers need (mbedTLS).
typedef enum {
    NETMAN_EAP_PEAP = 1,
    NETMAN_EAP_TTLS,                // phase 2: MSCHAPv2
    NETMAN_EAP_TLS,
} netman_eap_method_t;

typedef struct {
    const uint8_t *data;
    uint16_t len;                   // 0: not given
} netman_eap_field_t;

typedef struct {
    uint8_t method;                 // netman_eap_method_t
    netman_eap_field_t identity;    // the outer (anonymous) identity
    netman_eap_field_t username;    // PEAP, TTLS
    netman_eap_field_t password;
    netman_eap_field_t ca_cert;     // the server's CA, PEM or DER; none: the server is not checked
    netman_eap_field_t client_cert; // TLS
    netman_eap_field_t client_key;
    netman_eap_field_t key_password;
} netman_eap_t;

// Station join parameters. Strings are length-counted, not terminated; psk_len
// 0 means an open network. With static_ip the port skips DHCP and reports
// `ip` as the address once associated. With bssid_set only the AP with that
// BSSID is joined (of the APs serving the SSID). A driver that cannot join
// with eap answers NETMAN_ERR_UNSUPPORTED.
typedef struct {
    uint8_t ssid[NETMAN_SSID_MAX];
    uint8_t psk[NETMAN_PSK_MAX];
    char hostname[NETMAN_HOSTNAME_MAX + 1];
    uint8_t ssid_len;
    uint8_t psk_len;
    bool static_ip;
    netman_ip_t ip;
    bool bssid_set;
    uint8_t bssid[NETMAN_MAC_LEN];
    const netman_eap_t *eap;        // WPA2-Enterprise (then psk_len is 0); NULL: none
} netman_sta_params_t;

// ---- implemented by each port ------------------------------------------------

// Bring the driver up and read the factory MAC. NETMAN_ERR_NO_RADIO when
// there is no radio to talk to. Called from the MicroPython thread.
netman_err_t netman_hal_open(uint8_t mac[NETMAN_MAC_LEN]);
// Tear the driver down; no event is posted after this returns.
void netman_hal_close(void);
// Start joining. May be called from driver context (reconnect); a refusal
// there (the driver is busy, or in the wrong state) is reported to the
// application as a NETMAN_REASON_JOIN_REFUSED disconnect and retried.
netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params);
// Leave the AP; the port posts NETMAN_EV_STA_DISCONNECTED when done.
netman_err_t netman_hal_sta_disconnect(void);
// Start our access point; the port posts NETMAN_EV_AP_STARTED (or
// NETMAN_EV_AP_FAILED), then the station events. Called while the AP runs,
// it reconfigures it (the driver may send its stations away) and posts
// NETMAN_EV_AP_STARTED again.
netman_err_t netman_hal_ap_start(const netman_ap_params_t *params);
// Take our access point down (its stations are sent away); the station, if
// any, stays as it is. No event follows. NETMAN_OK if no AP was running.
netman_err_t netman_hal_ap_stop(void);
// The MAC address of our access point's interface (its BSSID), running or not.
netman_err_t netman_hal_ap_mac(uint8_t mac[NETMAN_MAC_LEN]);
// The radio's channel (1-13) for while the station is not joined to an AP
// (ESP-NOW uses it): the port moves the radio there when the station is not
// joined, our AP with it (posting NETMAN_EV_AP_CHANNEL), and posts
// NETMAN_EV_RADIO_CHANNEL. A port posts NETMAN_EV_RADIO_CHANNEL from
// netman_hal_open() too, with the channel the driver starts on.
netman_err_t netman_hal_set_channel(uint8_t channel);
// SNTP: poll `host` (a name or dotted address; "" for the server DHCP gave,
// where the port knows one) on UDP `port` now and every interval_ms after,
// posting NETMAN_EV_SNTP_SYNC or NETMAN_EV_SNTP_FAILED for each attempt.
// Callable from driver context; starting again replaces the server.
netman_err_t netman_hal_sntp_start(const char *host, uint16_t port, uint32_t interval_ms);
void netman_hal_sntp_stop(void);
// mDNS: answer for <hostname>.local and the services at `address` until
// stopped, announcing them first. The config stays valid (and unchanged)
// until netman_hal_mdns_stop(). If the name is taken on the network the port
// picks "<hostname>-<n>" and posts NETMAN_EV_MDNS_NAME.
typedef struct {
    char service[NETMAN_MDNS_NAME_MAX + 1];   // "_http"
    char proto[5];                            // "_tcp" or "_udp"
    uint16_t port;
    char instance[NETMAN_MDNS_NAME_MAX + 1];  // "My web server"
} netman_mdns_service_t;

typedef struct {
    char hostname[NETMAN_MDNS_NAME_MAX + 1];
    uint32_t ttl;                             // seconds
    uint8_t service_count;
    netman_mdns_service_t services[NETMAN_MDNS_MAX_SERVICES];
} netman_mdns_config_t;

netman_err_t netman_hal_mdns_start(const netman_mdns_config_t *config, uint32_t address);
void netman_hal_mdns_stop(void);
// ESP-NOW. While active the port hands every received frame to
// netman_core_espnow_rx() and completes every send with NETMAN_EV_ESPNOW_SENT.
// key_id identifies the (PMK, LMK) pair a frame is encrypted with (NULL: not
// encrypted); a port whose driver encrypts for real ignores it and gives NULL
// on receive, the host build's air carries it.
netman_err_t netman_hal_espnow_active(bool active);
// Sends complete in order, one NETMAN_EV_ESPNOW_SENT each.
netman_err_t netman_hal_espnow_send(const uint8_t mac[NETMAN_MAC_LEN], const uint8_t *data, size_t len,
    const uint8_t *key_id);
// The keys, for a driver that encrypts for real and keeps its own peer table
// (ESP32): while ESP-NOW is active the core hands the port the PMK (again
// right after netman_hal_espnow_active(true)) and every peer it adds,
// changes or deletes; the core's table stays unchanged if the port refuses.
// Ports whose air carries key ids (host) accept these and do nothing.
typedef struct {
    uint8_t mac[NETMAN_MAC_LEN];
    uint8_t lmk[NETMAN_ESPNOW_KEY_LEN];
    bool has_lmk;
    bool encrypt;
    uint8_t channel;                // 0: the channel the radio is on
    uint8_t ifidx;                  // 0: the station interface, 1: the AP's
} netman_espnow_peer_t;
netman_err_t netman_hal_espnow_set_pmk(const uint8_t pmk[NETMAN_ESPNOW_KEY_LEN]);
netman_err_t netman_hal_espnow_peer_set(const netman_espnow_peer_t *peer, bool add);
netman_err_t netman_hal_espnow_peer_del(const uint8_t mac[NETMAN_MAC_LEN]);
// The PHY rate of ESP-NOW frames, an ESP-IDF wifi_phy_rate_t the core has
// checked; callable whenever the radio is open (ESP-NOW active or not).
netman_err_t netman_hal_espnow_rate(uint8_t rate);
// Whether the radio runs although netman_hal_open() was not called: the
// port's own network module started it (MicroPython's network.WLAN on
// ESP32). ESP-NOW may then run on it (netman_hal_espnow_active() and the
// ESP-NOW calls above), on the channel that module set. False on ports
// without such a module (host: its network module opens netman; rp2).
bool netman_hal_radio_started(void);
// Start a scan. The port reports each AP with netman_core_scan_result() and
// then posts NETMAN_EV_SCAN_DONE. NETMAN_ERR_BUSY if the driver is busy.
// The core gives up on a scan that has not ended within a bound derived
// from its options (netman_scan_bound_ms()) and then calls abort.
netman_err_t netman_hal_scan_start(const netman_scan_params_t *params);
// Radio settings (netman.radio()). The core has checked every value against
// the ranges below; the port applies the fields a request sets, all of them
// or, refusing with NETMAN_ERR_UNSUPPORTED (last_error naming the key and the
// port), none. The country's channel limit is the core's: it filters scans
// and checks our AP's channel with it; a port hands it to its driver.
#define NETMAN_RADIO_TXPOWER (1 << 0)
#define NETMAN_RADIO_COUNTRY (1 << 1)
#define NETMAN_RADIO_POWER_SAVE (1 << 2)
#define NETMAN_RADIO_PROTOCOL (1 << 3)
#define NETMAN_RADIO_BANDWIDTH (1 << 4)

typedef enum {
    NETMAN_POWER_SAVE_NONE = 0,
    NETMAN_POWER_SAVE_MIN,          // wake for every DTIM beacon
    NETMAN_POWER_SAVE_MAX,          // wake at the listen interval
} netman_power_save_t;

#define NETMAN_PROTOCOL_11B (1 << 0)
#define NETMAN_PROTOCOL_11G (1 << 1)
#define NETMAN_PROTOCOL_11N (1 << 2)
#define NETMAN_PROTOCOL_LR (1 << 3)     // Espressif's long range mode

typedef struct {
    uint8_t fields;                 // NETMAN_RADIO_*: what a request sets
    int16_t txpower_qdbm;           // maximum transmit power, quarter dBm
    char country[3];                // two upper-case letters and a NUL
    uint8_t channels;               // the country allows channels 1..channels
    uint8_t power_save;             // netman_power_save_t
    uint8_t protocol;               // NETMAN_PROTOCOL_* bits
    uint8_t bandwidth_mhz;          // 20 or 40
} netman_radio_t;

// Each port's transmit power range, in quarter dBm (its netman_port.* may
// override these defaults, ESP-IDF's esp_wifi_set_max_tx_power range).
#ifndef NETMAN_TXPOWER_MIN_QDBM
#define NETMAN_TXPOWER_MIN_QDBM (8)
#endif
#ifndef NETMAN_TXPOWER_MAX_QDBM
#define NETMAN_TXPOWER_MAX_QDBM (84)
#endif

netman_err_t netman_hal_radio_set(const netman_radio_t *radio);
// What the driver has in force: txpower_qdbm, power_save, protocol and
// bandwidth_mhz (the core keeps the country).
netman_err_t netman_hal_radio_get(netman_radio_t *radio);
// Promiscuous reception (netman.sniffer). While started the port hands every
// frame its driver receives (without the FCS) to netman_core_sniffer_rx(),
// which filters again. channel_count 0: stay on the radio's channel; 1: tune
// to channels[0]; more: hop, dwell_ms on each in turn. `filter` is for a
// driver that filters itself. Starting again replaces the settings.
#define NETMAN_SNIFFER_MAX_CHANNELS (14)
typedef struct {
    uint8_t channels[NETMAN_SNIFFER_MAX_CHANNELS];
    uint8_t channel_count;
    uint16_t dwell_ms;
    netman_frame_filter_t filter;
} netman_sniffer_params_t;
netman_err_t netman_hal_sniffer_start(const netman_sniffer_params_t *params);
void netman_hal_sniffer_stop(void);
// Send a raw 802.11 frame (NETMAN_RAW_MIN..NETMAN_RAW_MAX bytes, no FCS) on
// the radio's channel; the driver keeps its own sequence numbers.
netman_err_t netman_hal_send_raw(const uint8_t *frame, size_t len);

// Stop the scan the core gave up on; whatever the driver still says of it
// must not end a later scan. Callable from driver context.
void netman_hal_scan_abort(void);
// Signal strength of the associated AP now; NETMAN_ERR_STATE when not associated.
netman_err_t netman_hal_sta_rssi(int8_t *rssi);
// One-shot timer: after `ms` the port posts NETMAN_EV_TIMER from driver
// context. Arming again replaces the deadline. Callable from driver context.
void netman_hal_timer_arm(uint32_t ms);
void netman_hal_timer_cancel(void);

// Persistent storage of one small blob (the credentials): NVS on ESP32, a
// file in flash on rp2, a file on the host. Usable without netman_hal_open().
// write replaces the blob atomically (a crash leaves the old or the new one);
// read returns NETMAN_ERR_STATE when nothing is stored.
#define NETMAN_STORE_MAX (512)
netman_err_t netman_hal_store_write(const uint8_t *data, size_t len);
netman_err_t netman_hal_store_read(uint8_t *buf, size_t max, size_t *len);
netman_err_t netman_hal_store_erase(void);
// Where the blob lives, for messages (a path or "NVS namespace netman").
const char *netman_hal_store_location(void);

// A short description of the last failed request, for error messages. Never
// contains a secret.
const char *netman_hal_last_error(void);

// The port's critical section, guarding the core's queue and state against
// driver context. Must not be held across a HAL request.
void netman_hal_lock(void);
void netman_hal_unlock(void);

// ---- implemented by the core, called by ports from driver context -------------

// Copy an event into the core (state machine + queue). Never allocates.
void netman_core_post(const netman_event_t *event);
// Hand one scanned AP to the core's bounded scan buffer. Never allocates.
void netman_core_scan_result(const netman_scan_result_t *result);
// Hand one received ESP-NOW frame to the core's receive ring. Never allocates.
void netman_core_espnow_rx(const uint8_t mac[NETMAN_MAC_LEN], int8_t rssi, const uint8_t *data, size_t len,
    const uint8_t *key_id);
// Hand one frame the sniffer heard to the core's sniffer ring. Never allocates.
void netman_core_sniffer_rx(uint8_t channel, int8_t rssi, const uint8_t *frame, size_t len);

// ---- implemented by the core, called by ports from the MicroPython thread ------

// The station settings in force, PSK included (wipe the copy after use): for a
// port that joins later than it was asked to (rp2, a join asked from driver
// context).
void netman_sta_get_params(netman_sta_params_t *params);
// The SNTP server netman_hal_sntp_start() was last given ("" for DHCP's),
// for a port that looks it up again later; also from driver context.
void netman_sntp_get_host(char host[NETMAN_SNTP_HOST_MAX + 1]);

#endif // NETMAN_HAL_H
