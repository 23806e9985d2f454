/*
 * _netman's ESP-NOW bindings, under netman.espnow.ESPNow. Errors are what
 * MicroPython's ESP32 port raises for the same call, in the same order
 * (ports/esp32/modespnow.c, v1.28.0): OSError(-code, "ESP_ERR_ESPNOW_...")
 * with the ESP-IDF code negated (mphalport.c, check_esp_err_), ValueError
 * ("invalid buffer length") for a MAC or key of the wrong size, TypeError for
 * something that is not a buffer.
 *
 * The receive path (espnow_recvinto) allocates only for a sender never seen
 * before (its peers_table entry), and takes a frame out of the ring only once
 * it has been delivered.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/objarray.h"
#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/runtime.h"
#include "py/smallint.h"

#include "netman_obj.h"

// ESP-IDF's ESP-NOW error codes: ESP_ERR_ESPNOW_BASE (0x3000 + 100) + n.
enum {
    ESPNOW_NOT_INIT = 1,
    ESPNOW_ARG = 2,
    ESPNOW_FULL = 4,
    ESPNOW_NOT_FOUND = 5,
    ESPNOW_INTERNAL = 6,
    ESPNOW_EXIST = 7,
    ESPNOW_IF = 8,
    ESPNOW_CHAN = 9,
};

// The peer device table ({mac: [rssi, time_ms]}), one per process as
// MicroPython's singleton keeps one; fixed, so only the receive path adds to it.
MP_REGISTER_ROOT_POINTER(mp_obj_t netman_espnow_peers_table);

static MP_NORETURN void netman_espnow_raise(int offset) {
    static const qstr names[] = {
        [ESPNOW_NOT_INIT] = MP_QSTR_ESP_ERR_ESPNOW_NOT_INIT,
        [ESPNOW_ARG] = MP_QSTR_ESP_ERR_ESPNOW_ARG,
        [ESPNOW_FULL] = MP_QSTR_ESP_ERR_ESPNOW_FULL,
        [ESPNOW_NOT_FOUND] = MP_QSTR_ESP_ERR_ESPNOW_NOT_FOUND,
        [ESPNOW_INTERNAL] = MP_QSTR_ESP_ERR_ESPNOW_INTERNAL,
        [ESPNOW_EXIST] = MP_QSTR_ESP_ERR_ESPNOW_EXIST,
        [ESPNOW_IF] = MP_QSTR_ESP_ERR_ESPNOW_IF,
        [ESPNOW_CHAN] = MP_QSTR_ESP_ERR_ESPNOW_CHAN,
    };
    mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(-(0x3064 + offset)), MP_OBJ_NEW_QSTR(names[offset]) };
    nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
}

static void require_active(void) {
    if (!netman_espnow_is_active()) {
        netman_espnow_raise(ESPNOW_NOT_INIT);
    }
}

static void check_result(netman_espnow_result_t result) {
    static const int offsets[] = {
        [NETMAN_ESPNOW_EXIST] = ESPNOW_EXIST,
        [NETMAN_ESPNOW_NOT_FOUND] = ESPNOW_NOT_FOUND,
        [NETMAN_ESPNOW_FULL] = ESPNOW_FULL,
        [NETMAN_ESPNOW_DRIVER] = ESPNOW_INTERNAL,
    };
    if (result != NETMAN_ESPNOW_OK) {
        netman_espnow_raise(offsets[result]);
    }
}

// A buffer of exactly `len` bytes (modespnow.c, _get_bytes_len_rw).
static const uint8_t *get_bytes_len(mp_obj_t obj, size_t len) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(obj, &buf, MP_BUFFER_READ);
    if (buf.len != len) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid buffer length"));
    }
    return buf.buf;
}

static void get_mac(mp_obj_t obj, uint8_t mac[NETMAN_MAC_LEN]) {
    memcpy(mac, get_bytes_len(obj, NETMAN_MAC_LEN), NETMAN_MAC_LEN);
}

// espnow_active(rxbuf): allocate the ring and start receiving; rxbuf 0
// stops; None asks whether it runs. The facade has checked the size.
static mp_obj_t mod_netman_espnow_active(mp_obj_t rxbuf_in) {
    if (rxbuf_in == mp_const_none) {
        return mp_obj_new_bool(netman_espnow_is_active());
    }
    mp_int_t rxbuf = mp_obj_get_int(rxbuf_in);
    if (rxbuf == 0) {
        if (netman_espnow_is_active()) {
            netman_hal_espnow_active(false);
        }
        netman_espnow_stop();
        return mp_const_none;
    }
    if (netman_espnow_is_active()) {
        return mp_const_none;
    }
    if (!netman_is_open() && !netman_hal_radio_started()) {
        netman_espnow_raise(ESPNOW_IF); // no radio: start netman or network.WLAN first
    }
    // A soft reset must stop the driver's callbacks before the heap (and
    // ESP-NOW's state in it) goes: the guard's finaliser does.
    netman_guard();
    if (!netman_espnow_start(rxbuf)) {
        mp_raise_msg_varg(&mp_type_MemoryError,
            MP_ERROR_TEXT("rxbuf: the heap has no room for %d bytes; configure a smaller rxbuf"), (int)rxbuf);
    }
    int failure = 0;
    if (netman_hal_espnow_active(true) != NETMAN_OK) {
        failure = ESPNOW_IF;
    } else if (netman_espnow_give_pmk() != NETMAN_ESPNOW_OK) {
        netman_hal_espnow_active(false);
        failure = ESPNOW_INTERNAL;
    }
    if (failure) {
        netman_espnow_stop();
        netman_espnow_raise(failure);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_active_obj, mod_netman_espnow_active);

// What esp_now_send() checks of a peer: the radio must be on its channel and
// its interface (the AP's) must be up. On a radio the port's own network
// module runs (netman not started) the channel and the AP are that module's:
// the driver checks them itself.
static void check_peer_reachable(const netman_espnow_peer_t *peer) {
    if (!netman_is_open()) {
        return;
    }
    if (peer->channel != 0 && peer->channel != netman_channel()) {
        netman_espnow_raise(ESPNOW_CHAN);
    }
    if (peer->ifidx == 1) {
        netman_ap_info_t ap;
        netman_ap_get_info(&ap);
        if (ap.status != NETMAN_AP_STARTED) {
            netman_espnow_raise(ESPNOW_IF);
        }
    }
}

static void send_one(const uint8_t *mac, const mp_buffer_info_t *msg, const netman_espnow_peer_t *peer) {
    check_peer_reachable(peer);
    uint8_t key_id[NETMAN_ESPNOW_KEY_ID_LEN];
    if (peer->encrypt) {
        netman_espnow_key_id(peer->lmk, key_id);
    }
    netman_hal_lock();
    netman_espnow_count_send_locked();
    netman_hal_unlock();
    if (netman_hal_espnow_send(mac, msg->buf, msg->len, peer->encrypt ? key_id : NULL) != NETMAN_OK) {
        netman_espnow_raise(ESPNOW_IF);
    }
}

// espnow_send(mac or None, msg): one frame to a registered peer, or to every
// registered unicast peer (None), not waiting. The facade checked mac and msg
// as MicroPython does before this; what esp_now_send() refuses is checked here.
static mp_obj_t mod_netman_espnow_send(mp_obj_t mac_in, mp_obj_t msg_in) {
    require_active();
    uint8_t mac[NETMAN_MAC_LEN];
    if (mac_in != mp_const_none) {
        get_mac(mac_in, mac);
    }
    mp_buffer_info_t msg;
    mp_get_buffer_raise(msg_in, &msg, MP_BUFFER_READ);
    if (msg.len == 0 || msg.len > NETMAN_ESPNOW_MAX_DATA) {
        netman_espnow_raise(ESPNOW_ARG);
    }
    netman_espnow_peer_t peer;
    if (mac_in != mp_const_none) {
        check_result(netman_espnow_peer_get(mac, &peer));
        send_one(mac, &msg, &peer);
        return mp_const_none;
    }
    for (size_t i = 0; netman_espnow_peer_at(i, &peer); i++) {
        // esp_now_send(NULL, ...) skips broadcast and multicast peers.
        if (!(peer.mac[0] & 1)) {
            send_one(peer.mac, &msg, &peer);
        }
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_espnow_send_obj, mod_netman_espnow_send);

static mp_obj_t peers_table(void) {
    if (MP_STATE_VM(netman_espnow_peers_table) == MP_OBJ_NULL) {
        netman_guard(); // a soft reset forgets the table (netman_espnow_forget_vm)
        mp_obj_t table = mp_obj_new_dict(0);
        mp_obj_dict_get_map(table)->is_fixed = 1;
        MP_STATE_VM(netman_espnow_peers_table) = table;
    }
    return MP_STATE_VM(netman_espnow_peers_table);
}

void netman_espnow_forget_vm(void) {
    MP_STATE_VM(netman_espnow_peers_table) = MP_OBJ_NULL;
    MP_STATE_VM(netman_espnow_burst) = NULL;
}

static mp_obj_t mod_netman_espnow_peers_table(void) {
    return peers_table();
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_peers_table_obj, mod_netman_espnow_peers_table);

static mp_obj_t new_pair(void) {
    mp_obj_t zeros[2] = { MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(0) };
    return mp_obj_new_list(2, zeros);
}

// The sender's entry in the peer device table, added if it is new (which
// allocates; a known sender is found through a bytes object on the stack).
// Its value is an [rssi, time_ms] list of at least two items.
static mp_map_elem_t *table_entry(const uint8_t *mac) {
    mp_map_t *map = mp_obj_dict_get_map(peers_table());
    mp_obj_str_t key = { { &mp_type_bytes }, 0, NETMAN_MAC_LEN, mac };
    mp_map_elem_t *entry = mp_map_lookup(map, MP_OBJ_FROM_PTR(&key), MP_MAP_LOOKUP);
    if (entry == NULL) {
        mp_obj_t fresh = mp_obj_new_bytes(mac, NETMAN_MAC_LEN);
        mp_obj_t pair = new_pair();
        map->is_fixed = 0;
        entry = mp_map_lookup(map, fresh, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
        entry->value = pair;
        map->is_fixed = 1;
    } else if (((mp_obj_list_t *)MP_OBJ_TO_PTR(entry->value))->len < 2) {
        // The application emptied our list (it cannot replace it: the table is fixed).
        entry->value = new_pair();
    }
    return entry;
}

// espnow_recvinto(data) -> length, 0 if nothing waits. data is [peer, msg,
// (rssi, time_ms)] with msg a writable buffer of at least 250 bytes (a
// bytearray is resized to the message); peer becomes the sender's key in the
// peer device table, whose [rssi, time_ms] is updated in place.
static mp_obj_t mod_netman_espnow_recvinto(mp_obj_t data_in) {
    if (!mp_obj_is_type(data_in, &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("data: must be a list [peer, msg]"));
    }
    size_t n;
    mp_obj_t *data;
    mp_obj_list_get(data_in, &n, &data);
    if (n < 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("data: must be a list [peer, msg]"));
    }
    bool resizable = mp_obj_is_type(data[1], &mp_type_bytearray);
    mp_obj_array_t *array = MP_OBJ_TO_PTR(data[1]);
    if (resizable) {
        array->len += array->free;      // all of its room is usable
        array->free = 0;
    }
    mp_buffer_info_t msg;
    mp_get_buffer_raise(data[1], &msg, MP_BUFFER_WRITE);
    if (msg.len < NETMAN_ESPNOW_MAX_DATA) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid buffer length"));
    }
    // The payload goes straight into msg, as modespnow.c's recvinto reads
    // it from its ring; the frame stays in ours until it is delivered.
    netman_espnow_frame_t frame;
    size_t token;
    size_t len = netman_espnow_peek(&frame, msg.buf, &token);
    if (len == 0) {
        return MP_OBJ_NEW_SMALL_INT(0);
    }
    // Everything that can raise comes before the frame leaves the ring.
    mp_map_elem_t *entry = table_entry(frame.mac);
    mp_obj_t time_ms = mp_obj_new_int_from_uint(frame.time_ms & (MICROPY_PY_TIME_TICKS_PERIOD - 1));
    netman_espnow_consume(token);
    if (resizable) {
        array->free = array->len - len;
        array->len = len;
    }
    mp_obj_t rssi = MP_OBJ_NEW_SMALL_INT(frame.rssi);
    mp_obj_t *pair = ((mp_obj_list_t *)MP_OBJ_TO_PTR(entry->value))->items;
    pair[0] = rssi;
    pair[1] = time_ms;
    data[0] = entry->key;
    if (n >= 4) {
        data[2] = rssi;
        data[3] = time_ms;
    }
    return MP_OBJ_NEW_SMALL_INT(len);
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_recvinto_obj, mod_netman_espnow_recvinto);

static mp_obj_t mod_netman_espnow_any(void) {
    require_active();
    return mp_obj_new_bool(netman_espnow_any());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_any_obj, mod_netman_espnow_any);

// espnow_stats() -> (tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped)
static mp_obj_t mod_netman_espnow_stats(void) {
    netman_espnow_stats_t s;
    netman_espnow_get_stats(&s);
    mp_obj_t items[5] = {
        mp_obj_new_int_from_uint(s.tx_packets), mp_obj_new_int_from_uint(s.tx_responses),
        mp_obj_new_int_from_uint(s.tx_failures), mp_obj_new_int_from_uint(s.rx_packets),
        mp_obj_new_int_from_uint(s.rx_dropped),
    };
    return mp_obj_new_tuple(5, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_stats_obj, mod_netman_espnow_stats);

static mp_obj_t mod_netman_espnow_set_pmk(mp_obj_t key_in) {
    uint8_t key[NETMAN_ESPNOW_KEY_LEN];
    memcpy(key, get_bytes_len(key_in, NETMAN_ESPNOW_KEY_LEN), NETMAN_ESPNOW_KEY_LEN);
    if (!netman_espnow_is_active()) {
        memset(key, 0, sizeof(key));
        netman_espnow_raise(ESPNOW_NOT_INIT);
    }
    netman_espnow_result_t result = netman_espnow_set_pmk(key);
    memset(key, 0, sizeof(key));
    check_result(result);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_set_pmk_obj, mod_netman_espnow_set_pmk);

// espnow_peer(add, mac, lmk or None, channel, ifidx, encrypt): register or
// modify a peer. The facade parsed the arguments as MicroPython does; what
// esp_now_add_peer()/esp_now_mod_peer() refuse is checked here.
static mp_obj_t mod_netman_espnow_peer(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_espnow_peer_t peer;
    memset(&peer, 0, sizeof(peer));
    get_mac(args[1], peer.mac);
    peer.has_lmk = args[2] != mp_const_none;
    if (peer.has_lmk) {
        memcpy(peer.lmk, get_bytes_len(args[2], NETMAN_ESPNOW_KEY_LEN), NETMAN_ESPNOW_KEY_LEN);
    }
    mp_int_t channel = mp_obj_get_int(args[3]);
    mp_int_t ifidx = mp_obj_get_int(args[4]);
    peer.encrypt = mp_obj_is_true(args[5]);
    require_active();
    // Broadcast and multicast frames cannot be encrypted.
    if (channel < 0 || channel > 14 || (ifidx != 0 && ifidx != 1) || (peer.encrypt && (peer.mac[0] & 1))) {
        netman_espnow_raise(ESPNOW_ARG);
    }
    // A channel other than the radio's is refused, as MicroPython's docs say;
    // 0 means the radio's.
    if (channel != 0 && netman_is_open() && channel != netman_channel()) {
        netman_espnow_raise(ESPNOW_CHAN);
    }
    peer.channel = (uint8_t)channel;
    peer.ifidx = (uint8_t)ifidx;
    check_result(netman_espnow_peer_set(&peer, mp_obj_is_true(args[0])));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_espnow_peer_obj, 6, 6, mod_netman_espnow_peer);

// (mac, lmk, channel, ifidx, encrypt): the LMK is 16 bytes, zeros when none
// was given (modespnow.c, _peer_info_to_tuple).
static mp_obj_t peer_tuple(const netman_espnow_peer_t *peer) {
    mp_obj_t items[5] = {
        mp_obj_new_bytes(peer->mac, NETMAN_MAC_LEN), mp_obj_new_bytes(peer->lmk, NETMAN_ESPNOW_KEY_LEN),
        MP_OBJ_NEW_SMALL_INT(peer->channel), MP_OBJ_NEW_SMALL_INT(peer->ifidx), mp_obj_new_bool(peer->encrypt),
    };
    return mp_obj_new_tuple(5, items);
}

static mp_obj_t mod_netman_espnow_get_peer(mp_obj_t mac_in) {
    uint8_t mac[NETMAN_MAC_LEN];
    get_mac(mac_in, mac);
    require_active();
    netman_espnow_peer_t peer;
    check_result(netman_espnow_peer_get(mac, &peer));
    return peer_tuple(&peer);
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_get_peer_obj, mod_netman_espnow_get_peer);

static mp_obj_t mod_netman_espnow_del_peer(mp_obj_t mac_in) {
    uint8_t mac[NETMAN_MAC_LEN];
    get_mac(mac_in, mac);
    require_active();
    check_result(netman_espnow_peer_del(mac));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_del_peer_obj, mod_netman_espnow_del_peer);

// espnow_get_peers(): the unicast peers, as esp_now_fetch_peer() lists them.
static mp_obj_t mod_netman_espnow_get_peers(void) {
    require_active();
    mp_obj_t items[NETMAN_ESPNOW_MAX_PEERS];
    size_t unicast = 0;
    netman_espnow_peer_t peer;
    for (size_t i = 0; netman_espnow_peer_at(i, &peer); i++) {
        if (!(peer.mac[0] & 1)) {
            items[unicast++] = peer_tuple(&peer);
        }
    }
    return mp_obj_new_tuple(unicast, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_get_peers_obj, mod_netman_espnow_get_peers);

// espnow_peer_count() -> (all peers, encrypted peers), as esp_now_get_peer_num().
static mp_obj_t mod_netman_espnow_peer_count(void) {
    require_active();
    size_t n = 0, encrypted = 0;
    netman_espnow_peer_t peer;
    while (netman_espnow_peer_at(n, &peer)) {
        encrypted += peer.encrypt;
        n++;
    }
    mp_obj_t items[2] = { MP_OBJ_NEW_SMALL_INT(n), MP_OBJ_NEW_SMALL_INT(encrypted) };
    return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_peer_count_obj, mod_netman_espnow_peer_count);

// espnow_irq(handler, arg): handler(arg) is scheduled once per burst of frames.
static mp_obj_t mod_netman_espnow_irq(mp_obj_t handler, mp_obj_t arg) {
    if (handler != mp_const_none && !mp_obj_is_callable(handler)) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid handler"));
    }
    netman_espnow_set_irq(handler == mp_const_none ? MP_OBJ_NULL : handler, arg);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_espnow_irq_obj, mod_netman_espnow_irq);

// espnow_deliver(callback, mac, msg): callback(mac, msg) for netman.start()'s
// espnow `recv`; a raise is reported and counted like any netman callback's,
// and the caller goes on with the next frame.
static mp_obj_t mod_netman_espnow_deliver(mp_obj_t callback, mp_obj_t mac, mp_obj_t msg) {
    if (mp_call_function_2_protected(callback, mac, msg) == MP_OBJ_NULL) {
        netman_hal_lock();
        netman_counters.callbacks_raised++;
        netman_hal_unlock();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mod_netman_espnow_deliver_obj, mod_netman_espnow_deliver);

// espnow_rate(rate): the PHY rate of ESP-NOW frames. Like MicroPython:
// OSError(ENOENT) with the radio off, the driver's ESP_ERR_INVALID_ARG for a
// value that is not a wifi_phy_rate_t.
static mp_obj_t mod_netman_espnow_rate(mp_obj_t rate_in) {
    mp_int_t rate = mp_obj_get_int(rate_in);
    if (!netman_is_open() && !netman_hal_radio_started()) {
        mp_raise_OSError(MP_ENOENT);
    }
    // 802.11b/g rates and MCS0-7 (0x00-0x1f), the LoRa-like long range ones (0x29, 0x2a).
    if (rate < 0 || (rate > 0x1f && rate != 0x29 && rate != 0x2a)) {
        mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(-0x102), MP_OBJ_NEW_QSTR(MP_QSTR_ESP_ERR_INVALID_ARG) };
        nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
    }
    if (netman_hal_espnow_rate((uint8_t)rate) != NETMAN_OK) {
        netman_espnow_raise(ESPNOW_INTERNAL);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_rate_obj, mod_netman_espnow_rate);
