/*
 * ESP-NOW in the core: the receive ring, filled from driver context without
 * allocating, read on the MicroPython thread without allocating; the send
 * counters; the registered peers and keys.
 *
 * Ring records (netman_ring.c): length (1), sender MAC (6), RSSI (1),
 * timestamp ms (4), then the payload.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_burst.h"
#include "netman_core.h"
#include "netman_ring.h"

#define RECORD_HEAD (1 + NETMAN_MAC_LEN + 1 + 4)

// The ring's storage is on the GC heap (sized by rxbuf), kept alive here.
MP_REGISTER_ROOT_POINTER(void *netman_espnow_ring);

static bool espnow_active;
static netman_ring_t ring;
static netman_espnow_stats_t stats;

// The counters live as long as the process (MicroPython's singleton keeps
// them across active() cycles too).
void netman_espnow_start_locked(void *storage, size_t size) {
    MP_STATE_VM(netman_espnow_ring) = storage;
    netman_ring_init(&ring, storage, size, RECORD_HEAD, false);
    espnow_active = true;
}

void netman_espnow_stop_locked(void) {
    espnow_active = false;
    MP_STATE_VM(netman_espnow_ring) = NULL;
    netman_ring_init(&ring, NULL, 0, RECORD_HEAD, false);
    // Responses still due will never come (modespnow.c, espnow_deinit).
    stats.tx_packets = stats.tx_responses;
}

bool netman_espnow_is_active(void) {
    return espnow_active;
}

void netman_core_espnow_rx(const uint8_t mac[NETMAN_MAC_LEN], int8_t rssi, const uint8_t *data, size_t len,
    const uint8_t *key_id) {
    if (len == 0 || len > NETMAN_ESPNOW_MAX_DATA) {
        return;
    }
    netman_hal_lock();
    if (!espnow_active || !netman_espnow_peer_accepts_locked(mac, key_id)) {
        netman_hal_unlock();
        return;
    }
    uint8_t *rec = netman_ring_put(&ring, len);
    if (rec == NULL) {
        stats.rx_dropped++;                 // full: the newest frame is lost
        netman_hal_unlock();
        return;
    }
    uint32_t now = mp_hal_ticks_ms();
    memcpy(rec + 1, mac, NETMAN_MAC_LEN);
    rec[7] = (uint8_t)rssi;
    memcpy(rec + 8, &now, 4);
    memcpy(rec + RECORD_HEAD, data, len);
    stats.rx_packets++;
    bool notify = netman_espnow_irq_arm_locked();
    netman_hal_unlock();
    if (notify) {
        netman_espnow_irq_schedule();
    }
}

size_t netman_espnow_peek(netman_espnow_frame_t *frame, size_t *token) {
    netman_hal_lock();
    size_t len;
    const uint8_t *rec = netman_ring_peek(&ring, &len);
    if (rec == NULL) {
        netman_hal_unlock();
        return 0;
    }
    memcpy(frame->mac, rec + 1, NETMAN_MAC_LEN);
    frame->rssi = (int8_t)rec[7];
    memcpy(&frame->time_ms, rec + 8, 4);
    memcpy(frame->data, rec + RECORD_HEAD, len);
    *token = ring.read;
    netman_hal_unlock();
    return len;
}

void netman_espnow_consume(size_t token) {
    netman_hal_lock();
    // Only the record peek() returned, if nobody took it meanwhile.
    if (netman_ring_any(&ring) && ring.read == token) {
        netman_ring_pop(&ring);
    }
    netman_hal_unlock();
}

bool netman_espnow_any(void) {
    netman_hal_lock();
    bool any = netman_ring_any(&ring);
    netman_hal_unlock();
    return any;
}

void netman_espnow_apply_locked(const netman_event_t *event) {
    // As MicroPython counts them (modespnow.c, send_cb): every completion
    // is a response, the unacknowledged ones are also failures.
    if (event->kind == NETMAN_EV_ESPNOW_SENT) {
        stats.tx_responses++;
        if (!event->u.sent.acked) {
            stats.tx_failures++;
        }
    }
}

void netman_espnow_count_send_locked(void) {
    stats.tx_packets++;
}

void netman_espnow_get_stats(netman_espnow_stats_t *out) {
    netman_hal_lock();
    *out = stats;
    netman_hal_unlock();
}

// ---- peers and keys ----------------------------------------------------------

static netman_espnow_peer_t peers[NETMAN_ESPNOW_MAX_PEERS];
static size_t peer_count;
// ESP-IDF's default PMK, used until set_pmk().
static uint8_t pmk[NETMAN_ESPNOW_KEY_LEN] = "pmk1234567890123";

// FNV-1a over (PMK, LMK): names the key pair on the simulated air without
// revealing it.
void netman_espnow_key_id(const uint8_t *lmk, uint8_t out[NETMAN_ESPNOW_KEY_ID_LEN]) {
    uint64_t h = 0xcbf29ce484222325u;
    for (int i = 0; i < 2 * NETMAN_ESPNOW_KEY_LEN; i++) {
        h = (h ^ (i < NETMAN_ESPNOW_KEY_LEN ? pmk[i] : lmk[i - NETMAN_ESPNOW_KEY_LEN])) * 0x100000001b3u;
    }
    memcpy(out, &h, NETMAN_ESPNOW_KEY_ID_LEN);
}

static int find_peer_locked(const uint8_t *mac) {
    for (size_t i = 0; i < peer_count; i++) {
        if (memcmp(peers[i].mac, mac, NETMAN_MAC_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool netman_espnow_peer_accepts_locked(const uint8_t *mac, const uint8_t *key_id) {
    if (key_id == NULL) {
        return true;
    }
    // An encrypted frame is readable only with the same PMK and the sender's LMK.
    int i = find_peer_locked(mac);
    uint8_t ours[NETMAN_ESPNOW_KEY_ID_LEN];
    if (i < 0 || !peers[i].encrypt) {
        return false;
    }
    netman_espnow_key_id(peers[i].lmk, ours);
    return memcmp(ours, key_id, NETMAN_ESPNOW_KEY_ID_LEN) == 0;
}

netman_espnow_result_t netman_espnow_set_pmk(const uint8_t key[NETMAN_ESPNOW_KEY_LEN]) {
    if (espnow_active && netman_hal_espnow_set_pmk(key) != NETMAN_OK) {
        return NETMAN_ESPNOW_DRIVER;
    }
    netman_hal_lock();
    memcpy(pmk, key, NETMAN_ESPNOW_KEY_LEN);
    netman_hal_unlock();
    return NETMAN_ESPNOW_OK;
}

netman_espnow_result_t netman_espnow_give_pmk(void) {
    uint8_t key[NETMAN_ESPNOW_KEY_LEN];
    netman_hal_lock();
    memcpy(key, pmk, sizeof(key));
    netman_hal_unlock();
    netman_err_t err = netman_hal_espnow_set_pmk(key);
    memset(key, 0, sizeof(key));
    return err == NETMAN_OK ? NETMAN_ESPNOW_OK : NETMAN_ESPNOW_DRIVER;
}

netman_espnow_result_t netman_espnow_peer_set(const netman_espnow_peer_t *peer, bool add) {
    netman_espnow_result_t result = NETMAN_ESPNOW_OK;
    netman_hal_lock();
    int i = find_peer_locked(peer->mac);
    size_t encrypted = 0;
    for (size_t j = 0; j < peer_count; j++) {
        encrypted += peers[j].encrypt && (int)j != i;
    }
    if (add && i >= 0) {
        result = NETMAN_ESPNOW_EXIST;
    } else if (!add && i < 0) {
        result = NETMAN_ESPNOW_NOT_FOUND;
    } else if (add && peer_count == NETMAN_ESPNOW_MAX_PEERS) {
        result = NETMAN_ESPNOW_FULL;
    } else if (peer->encrypt && encrypted == NETMAN_ESPNOW_MAX_ENCRYPTED) {
        result = NETMAN_ESPNOW_FULL;
    }
    netman_hal_unlock();
    // The driver's table first: ours changes only if it took the peer.
    if (result == NETMAN_ESPNOW_OK && netman_hal_espnow_peer_set(peer, add) != NETMAN_OK) {
        result = NETMAN_ESPNOW_DRIVER;
    }
    if (result == NETMAN_ESPNOW_OK) {
        netman_hal_lock();
        peers[add ? peer_count++ : (size_t)i] = *peer;
        netman_hal_unlock();
    }
    return result;
}

netman_espnow_result_t netman_espnow_peer_get(const uint8_t *mac, netman_espnow_peer_t *out) {
    netman_hal_lock();
    int i = find_peer_locked(mac);
    if (i >= 0) {
        *out = peers[i];
    }
    netman_hal_unlock();
    return i >= 0 ? NETMAN_ESPNOW_OK : NETMAN_ESPNOW_NOT_FOUND;
}

netman_espnow_result_t netman_espnow_peer_del(const uint8_t *mac) {
    netman_hal_lock();
    int i = find_peer_locked(mac);
    netman_hal_unlock();
    if (i >= 0 && netman_hal_espnow_peer_del(mac) != NETMAN_OK) {
        return NETMAN_ESPNOW_DRIVER;
    }
    netman_hal_lock();
    i = find_peer_locked(mac);
    if (i >= 0) {
        peers[i] = peers[--peer_count];
        memset(&peers[peer_count], 0, sizeof(peers[0]));
    }
    netman_hal_unlock();
    return i >= 0 ? NETMAN_ESPNOW_OK : NETMAN_ESPNOW_NOT_FOUND;
}

size_t netman_espnow_peers(netman_espnow_peer_t *out, size_t max) {
    netman_hal_lock();
    size_t n = peer_count < max ? peer_count : max;
    memcpy(out, peers, n * sizeof(*out));
    netman_hal_unlock();
    return n;
}

void netman_espnow_forget_peers(void) {
    netman_hal_lock();
    memset(peers, 0, sizeof(peers));
    peer_count = 0;
    memcpy(pmk, "pmk1234567890123", NETMAN_ESPNOW_KEY_LEN);
    netman_hal_unlock();
}

// ---- irq: scheduled once per burst (netman_burst.c) --------------------------

MP_REGISTER_ROOT_POINTER(void *netman_espnow_burst);

bool netman_espnow_irq_arm_locked(void) {
    return netman_burst_arm_locked(MP_STATE_VM(netman_espnow_burst));
}

void netman_espnow_irq_schedule(void) {
    netman_burst_schedule(MP_STATE_VM(netman_espnow_burst));
}

void netman_espnow_set_irq(mp_obj_t handler, mp_obj_t arg) {
    netman_burst_set((netman_burst_t **)&MP_STATE_VM(netman_espnow_burst), handler, arg);
}
