/*
 * Internal interface between the parts of the netman core (not for ports).
 */
#ifndef NETMAN_CORE_H
#define NETMAN_CORE_H

#include "py/obj.h"

#include "netman_hal.h"

// Station status, in the order a connection walks through it.
typedef enum {
    NETMAN_STA_INACTIVE = 0,
    NETMAN_STA_DISCONNECTED,
    NETMAN_STA_CONNECTING,
    NETMAN_STA_ASSOCIATED,
    NETMAN_STA_CONNECTED,
    NETMAN_STA_DEGRADED,
    NETMAN_STA_DISCONNECTING,
} netman_sta_status_t;

typedef struct {
    uint32_t events;
    uint32_t queue_overflows;
    uint32_t sched_retries;
    uint32_t callbacks_raised;
    uint32_t connects;
    uint32_t disconnects[NETMAN_REASON_COUNT];  // by netman_reason_t (netman_reason_ends_connection)
    uint32_t beacon_timeouts;
    uint32_t reconnect_attempts;
    uint32_t events_rejected;       // a port reported what no radio could say
} netman_counters_t;

// What the station knows now, copied out under the lock.
typedef struct {
    netman_sta_status_t status;
    netman_reason_t last_reason;
    bool associated;
    bool have_ip;
    netman_assoc_t assoc;
    netman_ip_t ip;
    uint8_t ssid[NETMAN_SSID_MAX];
    uint8_t ssid_len;
    uint32_t connected_at_ms;       // mp_hal_ticks_ms() at association
    uint32_t reconnect_retry;       // attempts in the current outage
    uint32_t reconnect_delay_ms;    // delay before the pending attempt, 0 if none
} netman_sta_info_t;

// What the core must do after applying an event (outside the lock).
typedef enum {
    NETMAN_ACTION_NONE,
    NETMAN_ACTION_CONNECT,
} netman_action_t;

// A join the driver refused (NETMAN_REASON_JOIN_REFUSED) is tried again
// after at least this long.
#define NETMAN_JOIN_RETRY_MS (1000)

// ---- event queue (netman_queue.c) ----
// Fixed capacity; filled from driver context, drained on the VM thread.
#define NETMAN_QUEUE_LEN (32)
// Its storage comes from the GC heap: open() before netman_hal_open(),
// close() after netman_hal_close(). Pushes while closed are dropped.
void netman_queue_open(void);
void netman_queue_close(void);
// The calls below are made under the HAL lock.
// Append; a full queue drops the event and counts it. Returns true when the
// VM thread must be asked to drain (no drain pending yet).
bool netman_queue_push_locked(const netman_event_t *event);
// Remove the oldest event; when empty returns false and marks no drain pending.
bool netman_queue_pop_locked(netman_event_t *event);
// The scheduler refused the drain request: the next push asks again.
void netman_queue_drain_refused_locked(void);
void netman_queue_reset_locked(void);

// ---- the port's one-shot timer, shared (netman_timer.c) ----
typedef enum {
    NETMAN_TIMER_RECONNECT,         // the station's backoff delay before a reconnect
    NETMAN_TIMER_TICK,              // the facade's tick: NETMAN_EV_TICK to the dispatcher
    NETMAN_TIMER_SCAN,              // the bound of the running scan
    NETMAN_TIMER_SNTP_RETRY,        // SNTP could not start: try again
    NETMAN_TIMER_COUNT,
} netman_timer_id_t;
// Under the lock: setting again replaces the deadline. After unlocking,
// netman_timer_commit() arms the port's timer for the nearest deadline.
void netman_timer_set_locked(netman_timer_id_t id, uint32_t ms);
void netman_timer_clear_locked(netman_timer_id_t id);
bool netman_timer_passed_locked(netman_timer_id_t id);
// The port's timer fired: the deadlines that passed (bit 1 << id), cleared.
unsigned int netman_timer_take_passed_locked(void);
void netman_timer_commit(void);
// Set or clear one deadline and commit (outside the lock).
void netman_timer_arm(netman_timer_id_t id, uint32_t ms);
void netman_timer_cancel(netman_timer_id_t id);
// NETMAN_EV_TICK every period_ms (0: no tick), the next one armed once the
// dispatcher took the last (netman_timer_tick_taken).
void netman_timer_set_tick(uint32_t period_ms);
void netman_timer_tick_taken(void);
void netman_timer_reset_locked(void);

// ---- dispatch (netman_core.c) ----
// Forget queued events and deadlines and free the queue (network stopped).
void netman_core_reset(void);
// End a scan that is past its bound (for waiters whose timer tick is late).
void netman_core_check_scan_bound(void);

// ---- station state machine (netman_sta.c) ----
// False for news from an AP while the station is not active (AP-only mode,
// or stopped): no radio says such things, so the event is dropped whole.
bool netman_sta_hears_locked(const netman_event_t *event);
// Apply an event to the station state (caller holds the lock).
netman_action_t netman_sta_apply_locked(const netman_event_t *event);
// The reconnect deadline passed.
netman_action_t netman_sta_reconnect_due_locked(void);
void netman_sta_reset(void);
void netman_sta_activate(void);
void netman_sta_set_params(const netman_sta_params_t *params);
bool netman_sta_has_params(void);
void netman_sta_set_auto_reconnect(bool enabled);
// At most `limit` automatic reconnects after each netman_sta_connect() (-1: no limit).
void netman_sta_set_reconnect_limit(int32_t limit);
// Backoff between automatic reconnects; initial_ms 0 reconnects at once.
void netman_sta_set_backoff(uint32_t initial_ms, uint32_t max_ms, uint32_t seed);
// Join with the stored parameters.
netman_err_t netman_sta_join(void);
// The automatic reconnect: a join the driver refuses becomes a
// NETMAN_REASON_JOIN_REFUSED disconnect.
void netman_sta_rejoin(void);
// The application asks to join: a pending automatic reconnect is dropped.
netman_err_t netman_sta_connect(void);
netman_err_t netman_sta_disconnect(void);
netman_sta_status_t netman_sta_status(void);
void netman_sta_get_info(netman_sta_info_t *info);

// ---- the radio's channel (netman_channel.c) ----
void netman_channel_apply_locked(const netman_event_t *event);
void netman_channel_reset(void);
// The channel the radio is on: the joined AP's, else our AP's, else the
// idle channel (1 until the port says otherwise).
uint8_t netman_channel(void);
// Where the radio goes while the station is not joined.
netman_err_t netman_channel_set(uint8_t channel);

// ---- our access point (netman_ap.c) ----
typedef enum {
    NETMAN_AP_INACTIVE = 0,
    NETMAN_AP_STARTING,
    NETMAN_AP_STARTED,
    NETMAN_AP_FAILED,
} netman_ap_status_t;

typedef struct {
    uint8_t mac[NETMAN_MAC_LEN];
    int8_t rssi;
    bool has_ip;
    uint32_t address;
} netman_ap_station_t;

typedef struct {
    netman_ap_status_t status;
    netman_reason_t fail_reason;
    uint32_t address;
    uint32_t netmask;
    uint8_t channel;
    uint8_t station_count;
    netman_ap_station_t stations[NETMAN_AP_MAX_STATIONS];
} netman_ap_info_t;

void netman_ap_apply_locked(const netman_event_t *event);
// Start our AP, or reconfigure the running one. The core keeps the
// parameters (PSK included, wiped at reset) so that a change can leave the
// PSK out: psk_len NETMAN_AP_KEEP_PSK keeps the current one.
#define NETMAN_AP_KEEP_PSK (0xff)
netman_err_t netman_ap_start(const netman_ap_params_t *params);
netman_err_t netman_ap_stop(void);
void netman_ap_reset(void);
void netman_ap_get_info(netman_ap_info_t *info);

// ---- the services that run while the station has an address (SNTP, mDNS) ----

// What an event means for such a service; carried out outside the lock.
typedef enum {
    NETMAN_SERVICE_NONE,
    NETMAN_SERVICE_START,
    NETMAN_SERVICE_STOP,
} netman_service_action_t;

// ---- SNTP (netman_sntp.c) ----

typedef struct {
    bool enabled;
    char host[NETMAN_SNTP_HOST_MAX + 1];
    uint16_t port;
    uint32_t interval_ms;
} netman_sntp_config_t;

typedef struct {
    bool synced;
    uint32_t syncs;
    uint32_t failures;
    uint32_t last_sync_ms;          // mp_hal_ticks_ms() of the last sync
    int64_t offset_ms;
    netman_reason_t last_error;     // of the last attempt, NONE if it synced
} netman_sntp_info_t;

// A start the port refused is tried again after this long.
#define NETMAN_SNTP_RETRY_MS (2000)

netman_service_action_t netman_sntp_apply_locked(const netman_event_t *event);
// The retry deadline passed.
netman_service_action_t netman_sntp_retry_due_locked(void);
// Carry out what apply decided (outside the lock).
void netman_sntp_perform(netman_service_action_t action);
void netman_sntp_configure(const netman_sntp_config_t *config);
void netman_sntp_reset(void);
void netman_sntp_get(netman_sntp_config_t *config, netman_sntp_info_t *info);

// ---- mDNS (netman_mdns.c) ----
netman_service_action_t netman_mdns_apply_locked(const netman_event_t *event);
void netman_mdns_perform(netman_service_action_t action);
// NULL turns mDNS off; a running responder restarts with the new config
// (copied: the caller keeps its own). Raises MemoryError without changing
// anything when the heap has no room for the first config.
void netman_mdns_configure(const netman_mdns_config_t *config);
// The network stopped: forget and free the config.
void netman_mdns_reset(void);
// Copies the configured hostname ("" if none); returns whether the responder runs.
bool netman_mdns_get(char hostname[NETMAN_MDNS_NAME_MAX + 1], uint16_t *suffix, uint32_t *address);

// ---- ESP-NOW (netman_espnow.c) ----
// A port whose chip has no ESP-NOW radio (rp2's CYW43439) defines this as 0:
// then no ESP-NOW code is built (cmod/netman/micropython.cmake leaves
// netman_espnow*.c out) and the facade's netman.espnow raises ENODEV.
#ifndef NETMAN_ESPNOW_RADIO
#define NETMAN_ESPNOW_RADIO (1)
#endif
#if NETMAN_ESPNOW_RADIO
#define NETMAN_ESPNOW_MAX_PEERS (20)
#define NETMAN_ESPNOW_MAX_ENCRYPTED (6)

typedef struct {
    uint32_t tx_packets;
    uint32_t tx_responses;          // completions, acknowledged or not
    uint32_t tx_failures;           // completions without acknowledgement
    uint32_t rx_packets;
    uint32_t rx_dropped;
} netman_espnow_stats_t;

// A received frame's sender, signal and arrival (its payload goes to the reader's buffer).
typedef struct {
    uint8_t mac[NETMAN_MAC_LEN];
    int8_t rssi;
    uint32_t time_ms;
} netman_espnow_frame_t;

typedef enum {
    NETMAN_ESPNOW_OK,
    NETMAN_ESPNOW_EXIST,
    NETMAN_ESPNOW_NOT_FOUND,
    NETMAN_ESPNOW_FULL,
    NETMAN_ESPNOW_DRIVER,           // the port's driver refused the change
} netman_espnow_result_t;

// Allocate ESP-NOW's state (peers, keys, an rxbuf-byte ring) on the GC heap
// and start taking frames; false when the heap has no room. stop() drops
// frames, peers and keys and frees the block (after the caller stopped the
// driver's ESP-NOW, or closed the driver).
bool netman_espnow_start(size_t rxbuf);
void netman_espnow_stop(void);
bool netman_espnow_is_active(void);
// Copy the oldest frame out without taking it: its sender etc. into *frame,
// its payload (up to NETMAN_ESPNOW_MAX_DATA bytes) into data; returns its
// length (0 if none) and, in *token, what netman_espnow_consume() needs to
// take it. A reader that cannot deliver the frame leaves it in the ring.
size_t netman_espnow_peek(netman_espnow_frame_t *frame, uint8_t *data, size_t *token);
void netman_espnow_consume(size_t token);
bool netman_espnow_any(void);
void netman_espnow_apply_locked(const netman_event_t *event);
void netman_espnow_count_send_locked(void);
void netman_espnow_get_stats(netman_espnow_stats_t *stats);
// The calls below need ESP-NOW active and run on the MicroPython thread,
// the only one that changes the peers and keys.
void netman_espnow_key_id(const uint8_t *lmk, uint8_t out[NETMAN_ESPNOW_KEY_ID_LEN]);
netman_espnow_result_t netman_espnow_set_pmk(const uint8_t key[NETMAN_ESPNOW_KEY_LEN]);
// Give a driver that was just activated the PMK.
netman_espnow_result_t netman_espnow_give_pmk(void);
// add (or modify when add is false) a peer.
netman_espnow_result_t netman_espnow_peer_set(const netman_espnow_peer_t *peer, bool add);
netman_espnow_result_t netman_espnow_peer_get(const uint8_t *mac, netman_espnow_peer_t *peer);
netman_espnow_result_t netman_espnow_peer_del(const uint8_t *mac);
// The peer at `index` (0, 1, ... in the table's order); false past the last.
bool netman_espnow_peer_at(size_t index, netman_espnow_peer_t *peer);
void netman_espnow_set_irq(mp_obj_t handler, mp_obj_t arg);
// The soft reset ends the VM: forget its peer device table and irq.
void netman_espnow_forget_vm(void);
#endif // NETMAN_ESPNOW_RADIO

// ---- sniffer (netman_sniffer.c) ----
typedef struct {
    uint32_t received;              // frames kept in the ring
    uint32_t dropped;               // frames the full ring had no room for
    uint32_t filtered;              // frames the filter did not take
} netman_sniffer_stats_t;

// What the ring keeps of a frame besides its first bytes.
typedef struct {
    uint16_t length;                // on the air, without the FCS
    uint8_t channel;
    int8_t rssi;
    uint32_t time_ms;               // mp_hal_ticks_ms() when it arrived
} netman_sniffer_meta_t;

// Each frame's record: its meta and up to snaplen bytes.
#define NETMAN_SNIFFER_RECORD_HEAD (2 + sizeof(netman_sniffer_meta_t))

// The ring's storage comes from the GC heap (the caller allocates it).
void netman_sniffer_start_locked(void *storage, size_t size, const netman_frame_filter_t *filter, uint16_t snaplen);
void netman_sniffer_stop_locked(void);
bool netman_sniffer_is_active(void);
// Take the oldest frame: its meta and up to `max` of its bytes into data;
// returns how many, 0 if none waits.
size_t netman_sniffer_take(netman_sniffer_meta_t *meta, uint8_t *data, size_t max);
bool netman_sniffer_any(void);
void netman_sniffer_get_stats(netman_sniffer_stats_t *stats);
// handler(arg) is scheduled once per burst of frames; MP_OBJ_NULL: none.
void netman_sniffer_set_irq(mp_obj_t handler, mp_obj_t arg);
// The soft reset ends the VM: forget the burst object.
void netman_sniffer_forget_vm(void);

// ---- WPA2-Enterprise credentials (netman_eap.c) ----
// Keep the credentials in one new block (NULL method 0: none), replacing and
// wiping the old one; the station's parameters point at it.
const netman_eap_t *netman_eap_store(const netman_eap_t *given);
// A join request gave the driver the current credentials: the replaced ones go.
void netman_eap_joined(void);
// Wipe and drop them all (the network stops).
void netman_eap_reset(void);

// ---- radio settings (netman_radio.c) ----
// Apply the fields radio->fields names (the caller checked every value).
netman_err_t netman_radio_set(const netman_radio_t *radio);
// The settings in force; country is "" while netman has set none.
netman_err_t netman_radio_get(netman_radio_t *radio);
// The highest channel the country netman set allows (13 while none is set).
uint8_t netman_radio_channels_locked(void);
void netman_radio_reset(void);

// ---- scan buffer (netman_scan.c) ----
#ifndef NETMAN_MAX_SCAN_RESULTS
#define NETMAN_MAX_SCAN_RESULTS (20)
#endif

typedef enum {
    NETMAN_SCAN_STATE_IDLE,
    NETMAN_SCAN_STATE_RUNNING,
    NETMAN_SCAN_STATE_DONE,         // results (or a failure) wait to be taken
} netman_scan_state_t;

// Channels a full scan visits, and what a channel visit costs beyond its
// dwell (returning to the home channel, the driver's own overhead): the
// bound of a scan is twice the time its channels should take, plus a margin.
#define NETMAN_SCAN_CHANNELS (14)
#define NETMAN_SCAN_CHANNEL_COST_MS (100)
#define NETMAN_SCAN_MARGIN_MS (3000)
uint32_t netman_scan_bound_ms(const netman_scan_params_t *params);

// NETMAN_ERR_BUSY while a scan runs.
netman_err_t netman_scan_start(const netman_scan_params_t *params);
// Apply an event; false for a scan end that is not to be reported (no scan
// of ours runs: it ended, was given up on or canceled).
bool netman_scan_apply_locked(const netman_event_t *event);
// The running scan passed its bound: it ends as failed (returns true: the
// caller reports it and tells the port to abort).
bool netman_scan_give_up_locked(void);
// The network stops: a running scan ends as canceled, and the array is
// freed unless a completed scan's results wait to be taken.
void netman_scan_cancel(void);
// The VM ends (soft reset, after the network stopped): its heap goes, and
// mp_init() does not clear root pointers; forget the array.
void netman_scan_forget(void);
// timed_out: the last scan ended by running into its bound.
netman_scan_state_t netman_scan_state(netman_scan_status_t *status, mp_uint_t *done_us, bool *timed_out);
// The results of a done scan, strongest first (valid until released).
const netman_scan_result_t *netman_scan_view(size_t *count, uint32_t *found);
void netman_scan_release(void);

// Shared by all parts; accessed under the HAL lock.
extern netman_counters_t netman_counters;

#endif // NETMAN_CORE_H
