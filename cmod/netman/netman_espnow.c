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

// ESP-IDF's default PMK, used until set_pmk().
static const uint8_t default_pmk[NETMAN_ESPNOW_KEY_LEN] = "pmk1234567890123";

// Everything ESP-NOW holds while active, in one block of the GC heap made by
// active(True) and freed by active(False) or stop(): the registered peers and
// keys, and the receive ring with its storage (rxbuf bytes) at the end.
// Driver context reaches it only under the HAL lock, through the root
// pointer, which is NULL while ESP-NOW is off.
typedef struct {
    netman_ring_t ring;
    size_t peer_count;
    netman_espnow_peer_t peers[NETMAN_ESPNOW_MAX_PEERS];
    uint8_t pmk[NETMAN_ESPNOW_KEY_LEN];
    uint8_t storage[];
} espnow_state_t;

MP_REGISTER_ROOT_POINTER(void *netman_espnow);
// The irq's burst (netman_burst.h).
MP_REGISTER_ROOT_POINTER(void *netman_espnow_burst);

#define STATE() ((espnow_state_t *)MP_STATE_VM(netman_espnow))

static bool peer_accepts_locked(const uint8_t *mac, const uint8_t *key_id);

// The counters live as long as the process (MicroPython's singleton keeps
// them across active() cycles too).
static netman_espnow_stats_t stats;

bool netman_espnow_start(size_t rxbuf) {
    size_t size = sizeof(espnow_state_t) + rxbuf;
    espnow_state_t *state = m_malloc_maybe(size);
    if (state == NULL) {
        return false;
    }
    memset(state, 0, sizeof(*state));
    memcpy(state->pmk, default_pmk, NETMAN_ESPNOW_KEY_LEN);
    netman_ring_init(&state->ring, state->storage, rxbuf, RECORD_HEAD, false);
    netman_hal_lock();
    MP_STATE_VM(netman_espnow) = state;
    netman_hal_unlock();
    return true;
}

void netman_espnow_stop(void) {
    netman_hal_lock();
    espnow_state_t *state = STATE();
    MP_STATE_VM(netman_espnow) = NULL;
    // Responses still due will never come (modespnow.c, espnow_deinit).
    stats.tx_packets = stats.tx_responses;
    netman_hal_unlock();
    if (state != NULL) {
        // The keys go with the block; frames in the ring are dropped.
        size_t size = sizeof(*state) + state->ring.size;
        memset(state, 0, sizeof(*state));
        m_del(uint8_t, state, size);
    }
}

bool netman_espnow_is_active(void) {
    return STATE() != NULL;
}

void netman_core_espnow_rx(const uint8_t mac[NETMAN_MAC_LEN], int8_t rssi, const uint8_t *data, size_t len,
    const uint8_t *key_id) {
    if (len == 0 || len > NETMAN_ESPNOW_MAX_DATA) {
        return;
    }
    netman_hal_lock();
    espnow_state_t *state = STATE();
    if (state == NULL || !peer_accepts_locked(mac, key_id)) {
        netman_hal_unlock();
        return;
    }
    uint8_t *rec = netman_ring_put(&state->ring, len);
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
    netman_burst_t *burst = MP_STATE_VM(netman_espnow_burst);
    bool notify = netman_burst_arm_locked(burst);
    netman_hal_unlock();
    if (notify) {
        netman_burst_schedule(burst);
    }
}

size_t netman_espnow_peek(netman_espnow_frame_t *frame, uint8_t *data, size_t *token) {
    netman_hal_lock();
    espnow_state_t *state = STATE();
    size_t len = 0;
    const uint8_t *rec = state != NULL ? netman_ring_peek(&state->ring, &len) : NULL;
    if (rec != NULL) {
        memcpy(frame->mac, rec + 1, NETMAN_MAC_LEN);
        frame->rssi = (int8_t)rec[7];
        memcpy(&frame->time_ms, rec + 8, 4);
        memcpy(data, rec + RECORD_HEAD, len);
        *token = state->ring.read;
    }
    netman_hal_unlock();
    return len;
}

void netman_espnow_consume(size_t token) {
    netman_hal_lock();
    espnow_state_t *state = STATE();
    // Only the record peek() returned, if nobody took it meanwhile.
    if (state != NULL && netman_ring_any(&state->ring) && state->ring.read == token) {
        netman_ring_pop(&state->ring);
    }
    netman_hal_unlock();
}

bool netman_espnow_any(void) {
    netman_hal_lock();
    espnow_state_t *state = STATE();
    bool any = state != NULL && netman_ring_any(&state->ring);
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

// ---- peers and keys (VM thread; driver context only reads them) -------------

// FNV-1a over (PMK, LMK): names the key pair on the simulated air without
// revealing it. ESP-NOW is active (the caller checked).
void netman_espnow_key_id(const uint8_t *lmk, uint8_t out[NETMAN_ESPNOW_KEY_ID_LEN]) {
    const uint8_t *pmk = STATE()->pmk;
    uint64_t h = 0xcbf29ce484222325u;
    for (int i = 0; i < 2 * NETMAN_ESPNOW_KEY_LEN; i++) {
        h = (h ^ (i < NETMAN_ESPNOW_KEY_LEN ? pmk[i] : lmk[i - NETMAN_ESPNOW_KEY_LEN])) * 0x100000001b3u;
    }
    memcpy(out, &h, NETMAN_ESPNOW_KEY_ID_LEN);
}

static int find_peer_locked(const espnow_state_t *state, const uint8_t *mac) {
    for (size_t i = 0; i < state->peer_count; i++) {
        if (memcmp(state->peers[i].mac, mac, NETMAN_MAC_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool peer_accepts_locked(const uint8_t *mac, const uint8_t *key_id) {
    if (key_id == NULL) {
        return true;
    }
    // An encrypted frame is readable only with the same PMK and the sender's LMK.
    const espnow_state_t *state = STATE();
    int i = find_peer_locked(state, mac);
    uint8_t ours[NETMAN_ESPNOW_KEY_ID_LEN];
    if (i < 0 || !state->peers[i].encrypt) {
        return false;
    }
    netman_espnow_key_id(state->peers[i].lmk, ours);
    return memcmp(ours, key_id, NETMAN_ESPNOW_KEY_ID_LEN) == 0;
}

netman_espnow_result_t netman_espnow_set_pmk(const uint8_t key[NETMAN_ESPNOW_KEY_LEN]) {
    if (STATE() == NULL || netman_hal_espnow_set_pmk(key) != NETMAN_OK) {
        return NETMAN_ESPNOW_DRIVER;
    }
    netman_hal_lock();
    memcpy(STATE()->pmk, key, NETMAN_ESPNOW_KEY_LEN);
    netman_hal_unlock();
    return NETMAN_ESPNOW_OK;
}

netman_espnow_result_t netman_espnow_give_pmk(void) {
    netman_err_t err = netman_hal_espnow_set_pmk(STATE()->pmk);
    return err == NETMAN_OK ? NETMAN_ESPNOW_OK : NETMAN_ESPNOW_DRIVER;
}

netman_espnow_result_t netman_espnow_peer_set(const netman_espnow_peer_t *peer, bool add) {
    espnow_state_t *state = STATE();
    int i = find_peer_locked(state, peer->mac);
    size_t encrypted = 0;
    for (size_t j = 0; j < state->peer_count; j++) {
        encrypted += state->peers[j].encrypt && (int)j != i;
    }
    if (add && i >= 0) {
        return NETMAN_ESPNOW_EXIST;
    } else if (!add && i < 0) {
        return NETMAN_ESPNOW_NOT_FOUND;
    } else if (add && state->peer_count == NETMAN_ESPNOW_MAX_PEERS) {
        return NETMAN_ESPNOW_FULL;
    } else if (peer->encrypt && encrypted == NETMAN_ESPNOW_MAX_ENCRYPTED) {
        return NETMAN_ESPNOW_FULL;
    }
    // The driver's table first: ours changes only if it took the peer.
    if (netman_hal_espnow_peer_set(peer, add) != NETMAN_OK) {
        return NETMAN_ESPNOW_DRIVER;
    }
    netman_hal_lock();
    state->peers[add ? state->peer_count++ : (size_t)i] = *peer;
    netman_hal_unlock();
    return NETMAN_ESPNOW_OK;
}

bool netman_espnow_peer_at(size_t index, netman_espnow_peer_t *out) {
    const espnow_state_t *state = STATE();
    if (state == NULL || index >= state->peer_count) {
        return false;
    }
    *out = state->peers[index];
    return true;
}

netman_espnow_result_t netman_espnow_peer_get(const uint8_t *mac, netman_espnow_peer_t *out) {
    const espnow_state_t *state = STATE();
    int i = find_peer_locked(state, mac);
    return netman_espnow_peer_at((size_t)i, out) ? NETMAN_ESPNOW_OK : NETMAN_ESPNOW_NOT_FOUND;
}

netman_espnow_result_t netman_espnow_peer_del(const uint8_t *mac) {
    espnow_state_t *state = STATE();
    int i = find_peer_locked(state, mac);
    if (i < 0) {
        return NETMAN_ESPNOW_NOT_FOUND;
    }
    if (netman_hal_espnow_peer_del(mac) != NETMAN_OK) {
        return NETMAN_ESPNOW_DRIVER;
    }
    netman_hal_lock();
    state->peers[i] = state->peers[--state->peer_count];
    memset(&state->peers[state->peer_count], 0, sizeof(state->peers[0]));
    netman_hal_unlock();
    return NETMAN_ESPNOW_OK;
}

// ---- irq: scheduled once per burst (netman_burst.c) --------------------------

void netman_espnow_set_irq(mp_obj_t handler, mp_obj_t arg) {
    netman_burst_set((netman_burst_t **)&MP_STATE_VM(netman_espnow_burst), handler, arg);
}
