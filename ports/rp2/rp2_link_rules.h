/*
 * The rp2 port's decisions about the station, scans and our AP: what the
 * cyw43 driver's state and the chip's asynchronous events mean, as plain
 * functions over plain data (no cyw43, lwIP or MicroPython header), so that
 * the host tests run them over the sequences the driver really produces
 * (tests/c/test_rp2_link_rules.c).
 *
 * The glue (rp2_sta.c, rp2_scan.c, rp2_ap.c) samples the driver every watch
 * tick and records the chip's events as they pass (rp2_events.c); these
 * functions turn a sample into at most one netman event per tick.
 */
#ifndef NETMAN_RP2_LINK_RULES_H
#define NETMAN_RP2_LINK_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "netman_hal.h"

// A join that has neither failed nor succeeded by then is over.
#define RP2_JOIN_TIMEOUT_MS (20000)
// How long the chip may look for a lost AP before we call it gone.
#define RP2_BEACON_GRACE_MS (8000)
// How long a bad authentication may stand before it is final: the driver
// turns its join state back to active when a good one follows (cyw43_ctrl.c,
// cyw43_cb_process_async_event: "A good-auth follows a bad-auth").
#define RP2_BADAUTH_GRACE_MS (3000)
// Key exchanges that time out in one join before the key is called wrong:
// the driver rejoins after each (cyw43_ctrl.c, PSK_SUP reason 15: "Probably
// at edge of the cell, retry"), forever.
#define RP2_KEY_TIMEOUTS_MAX (3)

// The driver's join state (cyw43_wifi_link_status for the station).
typedef enum {
    RP2_JOIN_DOWN,              // CYW43_LINK_DOWN: no join (or the driver left it)
    RP2_JOIN_ACTIVE,            // CYW43_LINK_JOIN: joining or joined
    RP2_JOIN_FAIL,              // CYW43_LINK_FAIL
    RP2_JOIN_NONET,             // CYW43_LINK_NONET: SET_SSID found no such network
    RP2_JOIN_BADAUTH,           // CYW43_LINK_BADAUTH
} rp2_join_t;

// What the chip said since the last tick (rp2_events.c records these bits
// from its asynchronous events; see there for which event sets which).
#define RP2_EV_AUTH_OK (1u << 0)            // AUTH, status 0
#define RP2_EV_AP_SENT_US_AWAY (1u << 1)    // DEAUTH_IND / DISASSOC_IND on the station
#define RP2_EV_LINK_UP (1u << 2)            // LINK up on the station
#define RP2_EV_LINK_LOST_BEACONS (1u << 3)  // LINK down, reason 1 (beacon loss)
#define RP2_EV_LINK_LOST_AP (1u << 4)       // LINK down, reason 2 (disassociated)
#define RP2_EV_KEYED (1u << 5)              // PSK_SUP keyed
#define RP2_EV_KEY_TIMEOUT (1u << 6)        // PSK_SUP: waiting for the key exchange timed out
#define RP2_EV_KEY_FAILED (1u << 7)         // PSK_SUP: the key exchange failed
#define RP2_EV_SCAN_FAILED (1u << 8)        // ESCAN_RESULT with a final status other than 0
#define RP2_EV_AP_STATION (1u << 9)         // a station joined or left our AP
#define RP2_EV_AP_FULL (1u << 10)           // ... with 802.11 reason 5: the AP has no room for us
// What concerns the station's join and link (not scans, not our AP).
#define RP2_EV_STATION_MASK (RP2_EV_AUTH_OK | RP2_EV_AP_SENT_US_AWAY | RP2_EV_LINK_UP | RP2_EV_LINK_LOST_BEACONS \
    | RP2_EV_LINK_LOST_AP | RP2_EV_KEYED | RP2_EV_KEY_TIMEOUT | RP2_EV_KEY_FAILED | RP2_EV_AP_FULL)

// One asynchronous event from the chip, as the driver parses it
// (cyw43_ll.h, cyw43_async_event_t).
typedef struct {
    uint32_t type;
    uint32_t status;
    uint32_t reason;
    uint16_t flags;
    uint8_t itf;                // 0 the station, 1 our AP
} rp2_chip_event_t;

// The chip's event numbers (cyw43_ll.h, CYW43_EV_*; ASSOC_IND and
// REASSOC_IND are the firmware's own numbers, which reach the host because
// the driver's event mask lets all but six events through: cyw43_ll.c,
// cyw43_ll_wifi_on).
#define RP2_CHIP_EV_AUTH (3)
#define RP2_CHIP_EV_DEAUTH_IND (6)
#define RP2_CHIP_EV_ASSOC_IND (8)
#define RP2_CHIP_EV_REASSOC_IND (10)
#define RP2_CHIP_EV_DISASSOC_IND (12)
#define RP2_CHIP_EV_LINK (16)
#define RP2_CHIP_EV_PSK_SUP (46)
#define RP2_CHIP_EV_ESCAN_RESULT (69)

// What the events since the last tick said: RP2_EV_* bits, and how many key
// exchanges timed out.
typedef struct {
    uint32_t bits;
    uint8_t key_timeouts;
} rp2_events_t;

// Add one chip event to what the next tick will see.
void rp2_events_add(rp2_events_t *seen, const rp2_chip_event_t *ev);

// One watch tick's look at the station.
typedef struct {
    uint8_t join;               // rp2_join_t
    bool link_up;               // the lwIP netif's link
    bool has_address;           // DHCP bound (or the static address set)
    uint32_t events;            // RP2_EV_* since the last tick
    uint8_t key_timeouts;       // PSK_SUP timeouts since the last tick
} rp2_sta_sample_t;

typedef enum {
    RP2_STA_IDLE,
    RP2_STA_JOINING,
    RP2_STA_ASSOCIATED,         // link up, waiting for an address
    RP2_STA_UP,                 // link up with an address
    RP2_STA_LEAVING,            // we left; reported at the next tick
} rp2_sta_phase_t;

typedef struct {
    rp2_sta_phase_t phase;
    uint32_t since_ms;          // when the phase was entered
    bool secured;               // joining with a PSK
    bool ap_answered;           // an AP authenticated or linked us in this join
    bool badauth;               // the join state has been BADAUTH since badauth_ms
    uint32_t badauth_ms;
    uint8_t key_timeouts;       // in this join
    bool beacons_lost;          // link down while joined, since lost_ms
    uint32_t lost_ms;
} rp2_sta_track_t;

typedef enum {
    RP2_OUT_NONE,
    RP2_OUT_CONNECTED,
    RP2_OUT_GOT_IP,
    RP2_OUT_BEACON_TIMEOUT,
    RP2_OUT_DISCONNECTED,       // with reason
} rp2_out_kind_t;

typedef struct {
    uint8_t kind;               // rp2_out_kind_t
    uint8_t reason;             // netman_reason_t, for RP2_OUT_DISCONNECTED
    bool leave;                 // have the driver disassociate (stop its own retries)
} rp2_sta_out_t;

// A join was started (secured: with a PSK), or the driver refused it.
void rp2_sta_joining(rp2_sta_track_t *t, bool secured, uint32_t now_ms);
// We asked the driver to leave.
void rp2_sta_leaving(rp2_sta_track_t *t, uint32_t now_ms);
void rp2_sta_idle(rp2_sta_track_t *t);
// One tick: what the sample means.
rp2_sta_out_t rp2_sta_step(rp2_sta_track_t *t, const rp2_sta_sample_t *s, uint32_t now_ms);

// A scan we started ends when the driver clears its scan state (a final
// ESCAN_RESULT with status 0: cyw43_ctrl.c) or when the chip's final status
// is another one (the driver keeps its state then: the port clears it).
// Returns whether it ended; *status is netman_scan_status_t.
bool rp2_scan_ended(bool driver_scanning, uint32_t events, uint8_t *status);

// Which interface's netif lwIP must route through: the station's whenever it
// has an address (the driver makes every netif it brings up the default:
// cyw43_lwip.c, cyw43_cb_tcpip_init), else our AP's if it is up.
typedef enum { RP2_ROUTE_STA, RP2_ROUTE_AP } rp2_route_t;
rp2_route_t rp2_default_route(bool sta_has_address, bool ap_up);

// Our AP's stations as last reported, against the chip's association list.
typedef struct {
    uint8_t mac[NETMAN_MAC_LEN];
    bool addressed;             // its DHCP lease was reported
} rp2_station_t;

typedef struct {
    uint8_t count;
    rp2_station_t stations[NETMAN_AP_MAX_STATIONS];
} rp2_stations_t;

// The next difference between `known` and the chip's list (count MACs, 6
// bytes each), applied to `known`: NETMAN_EV_AP_STA_DISCONNECTED or
// _CONNECTED with its MAC, or 0 when they agree.
uint8_t rp2_stations_next_change(rp2_stations_t *known, const uint8_t *macs, int count, uint8_t mac[NETMAN_MAC_LEN]);
// Where mac is in a list of count entries `stride` bytes apart, or -1.
int rp2_mac_index(const uint8_t *macs, size_t stride, int count, const uint8_t mac[NETMAN_MAC_LEN]);

#endif // NETMAN_RP2_LINK_RULES_H
