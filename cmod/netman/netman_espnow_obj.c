/*
 * _netman's ESP-NOW bindings, under netman.espnow.ESPNow. Errors are
 * OSError(code, "ESP_ERR_ESPNOW_...") as MicroPython's espnow raises them.
 * The receive path (espnow_recvinto) allocates only for a sender never seen
 * before (its peers_table entry).
 */
#include <string.h>

#include "py/objarray.h"
#include "py/objtuple.h"
#include "py/runtime.h"
#include "py/smallint.h"

#include "netman_obj.h"

// ESP-IDF's error codes (ESP_ERR_ESPNOW_BASE is 0x3000 + 100).
#define ESPNOW_ERR(n) (0x3064 + (n))

static MP_NORETURN void raise_espnow(int offset, qstr name) {
    mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(ESPNOW_ERR(offset)), MP_OBJ_NEW_QSTR(name) };
    nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
}

static void require_active(void) {
    if (!netman_espnow_is_active()) {
        raise_espnow(1, MP_QSTR_ESP_ERR_ESPNOW_NOT_INIT);
    }
}

static void check_result(netman_espnow_result_t result) {
    switch (result) {
        case NETMAN_ESPNOW_EXIST:
            raise_espnow(7, MP_QSTR_ESP_ERR_ESPNOW_EXIST);
        case NETMAN_ESPNOW_NOT_FOUND:
            raise_espnow(5, MP_QSTR_ESP_ERR_ESPNOW_NOT_FOUND);
        case NETMAN_ESPNOW_FULL:
            raise_espnow(4, MP_QSTR_ESP_ERR_ESPNOW_FULL);
        case NETMAN_ESPNOW_DRIVER:
            raise_espnow(6, MP_QSTR_ESP_ERR_ESPNOW_INTERNAL);
        case NETMAN_ESPNOW_OK:
            break;
    }
}

static void get_mac(mp_obj_t obj, uint8_t mac[NETMAN_MAC_LEN]) {
    mp_buffer_info_t buf;
    if (!mp_get_buffer(obj, &buf, MP_BUFFER_READ) || buf.len != NETMAN_MAC_LEN) {
        mp_raise_ValueError(MP_ERROR_TEXT("mac: must be 6 bytes"));
    }
    memcpy(mac, buf.buf, NETMAN_MAC_LEN);
}

// espnow_active(rxbuf): allocate the ring and start receiving; rxbuf 0
// stops; None asks whether it runs.
static mp_obj_t mod_netman_espnow_active(mp_obj_t rxbuf_in) {
    if (rxbuf_in == mp_const_none) {
        return mp_obj_new_bool(netman_espnow_is_active());
    }
    mp_int_t rxbuf = mp_obj_get_int(rxbuf_in);
    if (rxbuf == 0) {
        if (netman_espnow_is_active()) {
            netman_hal_espnow_active(false);
        }
        netman_hal_lock();
        netman_espnow_stop_locked();
        netman_hal_unlock();
        netman_espnow_forget_peers();
        netman_espnow_set_irq(MP_OBJ_NULL, MP_OBJ_NULL);
        return mp_const_none;
    }
    if (rxbuf < (mp_int_t)netman_espnow_min_rxbuf()) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("rxbuf: at least %d bytes (one 250-byte frame)"),
            (int)netman_espnow_min_rxbuf());
    }
    if (netman_espnow_is_active()) {
        return mp_const_none;
    }
    if (!netman_is_open()) {
        raise_espnow(8, MP_QSTR_ESP_ERR_ESPNOW_IF); // no radio: start netman first
    }
    uint8_t *storage = m_new(uint8_t, rxbuf);
    netman_hal_lock();
    netman_espnow_start_locked(storage, rxbuf);
    netman_hal_unlock();
    if (netman_hal_espnow_active(true) != NETMAN_OK) {
        netman_hal_lock();
        netman_espnow_stop_locked();
        netman_hal_unlock();
        raise_espnow(8, MP_QSTR_ESP_ERR_ESPNOW_IF);
    }
    if (netman_espnow_give_pmk() != NETMAN_ESPNOW_OK) {
        netman_hal_espnow_active(false);
        netman_hal_lock();
        netman_espnow_stop_locked();
        netman_hal_unlock();
        raise_espnow(6, MP_QSTR_ESP_ERR_ESPNOW_INTERNAL);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_active_obj, mod_netman_espnow_active);

// espnow_send(mac, msg): one frame to one registered peer, not waiting.
static mp_obj_t mod_netman_espnow_send(mp_obj_t mac_in, mp_obj_t msg_in) {
    require_active();
    uint8_t mac[NETMAN_MAC_LEN];
    get_mac(mac_in, mac);
    mp_buffer_info_t msg;
    mp_get_buffer_raise(msg_in, &msg, MP_BUFFER_READ);
    if (msg.len == 0 || msg.len > NETMAN_ESPNOW_MAX_DATA) {
        mp_raise_ValueError(MP_ERROR_TEXT("msg: must be 1 to 250 bytes"));
    }
    netman_espnow_peer_t peer;
    check_result(netman_espnow_peer_get(mac, &peer));
    uint8_t key_id[NETMAN_ESPNOW_KEY_ID_LEN];
    if (peer.encrypt) {
        netman_espnow_key_id(peer.lmk, key_id);
    }
    netman_hal_lock();
    netman_espnow_count_send_locked();
    netman_hal_unlock();
    if (netman_hal_espnow_send(mac, msg.buf, msg.len, peer.encrypt ? key_id : NULL) != NETMAN_OK) {
        raise_espnow(8, MP_QSTR_ESP_ERR_ESPNOW_IF);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_espnow_send_obj, mod_netman_espnow_send);

// espnow_recvinto(data, peers_table) -> length, 0 if nothing waits. data is
// [peer, msg(bytearray >= 250)(, rssi, time_ms)]; peer becomes the key of
// peers_table, whose [rssi, time_ms] entry is updated in place.
static mp_obj_t mod_netman_espnow_recvinto(mp_obj_t data_in, mp_obj_t table) {
    size_t n = 0;
    mp_obj_t *data = NULL;
    if (mp_obj_is_type(data_in, &mp_type_list)) {
        mp_obj_list_get(data_in, &n, &data);
    }
    if (n < 2 || !mp_obj_is_type(data[1], &mp_type_bytearray)) {
        mp_raise_ValueError(MP_ERROR_TEXT("data: must be a list [peer, bytearray msg, ...]"));
    }
    if (!mp_obj_is_type(table, &mp_type_dict)) {
        mp_raise_TypeError(MP_ERROR_TEXT("peers_table: must be a dict"));
    }
    mp_obj_array_t *msg = MP_OBJ_TO_PTR(data[1]);
    if (msg->len + msg->free < NETMAN_ESPNOW_MAX_DATA) {
        mp_raise_ValueError(MP_ERROR_TEXT("msg: bytearray must hold 250 bytes"));
    }
    static netman_espnow_frame_t frame; // VM thread only; too big for a small stack
    size_t len = netman_espnow_take(&frame);
    if (len == 0) {
        return MP_OBJ_NEW_SMALL_INT(0);
    }
    memcpy(msg->items, frame.data, len);
    msg->free = msg->len + msg->free - len;
    msg->len = len;
    mp_map_t *map = mp_obj_dict_get_map(table);
    // Find the sender's entry by comparing bytes: no key object is made for
    // a known sender.
    mp_map_elem_t *entry = NULL;
    for (size_t i = 0; i < map->alloc; i++) {
        if (mp_map_slot_is_filled(map, i)) {
            mp_buffer_info_t key;
            mp_get_buffer_raise(map->table[i].key, &key, MP_BUFFER_READ);
            if (key.len == NETMAN_MAC_LEN && memcmp(key.buf, frame.mac, NETMAN_MAC_LEN) == 0) {
                entry = &map->table[i];
                break;
            }
        }
    }
    mp_obj_t rssi = MP_OBJ_NEW_SMALL_INT(frame.rssi);
    mp_obj_t time_ms = mp_obj_new_int_from_uint(frame.time_ms & (MICROPY_PY_TIME_TICKS_PERIOD - 1));
    if (entry == NULL) {
        mp_obj_t pair[2] = { rssi, time_ms };
        mp_obj_t key = mp_obj_new_bytes(frame.mac, NETMAN_MAC_LEN);
        mp_obj_dict_store(table, key, mp_obj_new_list(2, pair));
        data[0] = key;
    } else {
        data[0] = entry->key;
        size_t m = 0;
        mp_obj_t *pair = NULL;
        if (mp_obj_is_type(entry->value, &mp_type_list)) {
            mp_obj_list_get(entry->value, &m, &pair);
        }
        if (m >= 2) {
            pair[0] = rssi;
            pair[1] = time_ms;
        } else { // the application replaced our [rssi, time_ms]: make a new one
            mp_obj_t fresh[2] = { rssi, time_ms };
            entry->value = mp_obj_new_list(2, fresh);
        }
    }
    if (n >= 4) {
        data[2] = rssi;
        data[3] = time_ms;
    }
    return MP_OBJ_NEW_SMALL_INT(len);
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_espnow_recvinto_obj, mod_netman_espnow_recvinto);

static mp_obj_t mod_netman_espnow_any(void) {
    return mp_obj_new_bool(netman_espnow_any());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_any_obj, mod_netman_espnow_any);

// espnow_stats() -> (tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped, tx_done)
static mp_obj_t mod_netman_espnow_stats(void) {
    netman_espnow_stats_t s;
    netman_espnow_get_stats(&s);
    mp_obj_t items[6] = {
        mp_obj_new_int_from_uint(s.tx_packets), mp_obj_new_int_from_uint(s.tx_responses),
        mp_obj_new_int_from_uint(s.tx_failures), mp_obj_new_int_from_uint(s.rx_packets),
        mp_obj_new_int_from_uint(s.rx_dropped), mp_obj_new_int_from_uint(s.tx_done),
    };
    return mp_obj_new_tuple(6, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_stats_obj, mod_netman_espnow_stats);

static void get_key(mp_obj_t obj, uint8_t key[NETMAN_ESPNOW_KEY_LEN], const char *what) {
    mp_buffer_info_t buf;
    if (!mp_get_buffer(obj, &buf, MP_BUFFER_READ) || buf.len != NETMAN_ESPNOW_KEY_LEN) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s: must be 16 bytes"), what);
    }
    memcpy(key, buf.buf, NETMAN_ESPNOW_KEY_LEN);
}

static mp_obj_t mod_netman_espnow_set_pmk(mp_obj_t key_in) {
    uint8_t key[NETMAN_ESPNOW_KEY_LEN];
    get_key(key_in, key, "pmk");
    netman_espnow_result_t result = netman_espnow_set_pmk(key);
    memset(key, 0, sizeof(key));
    check_result(result);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_set_pmk_obj, mod_netman_espnow_set_pmk);

// espnow_peer(add, mac, lmk or None, channel, ifidx, encrypt): register or
// modify a peer. The facade resolved defaults; broadcast/multicast MACs
// cannot be encrypted.
static mp_obj_t mod_netman_espnow_peer(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    require_active();
    netman_espnow_peer_t peer;
    memset(&peer, 0, sizeof(peer));
    get_mac(args[1], peer.mac);
    peer.has_lmk = args[2] != mp_const_none;
    if (peer.has_lmk) {
        get_key(args[2], peer.lmk, "lmk");
    }
    peer.channel = mp_obj_get_int(args[3]);
    peer.ifidx = mp_obj_get_int(args[4]);
    peer.encrypt = mp_obj_is_true(args[5]);
    if (peer.encrypt && (peer.mac[0] & 1)) {
        mp_raise_ValueError(MP_ERROR_TEXT("encrypt: broadcast and multicast peers cannot be encrypted"));
    }
    if (peer.encrypt && !peer.has_lmk) {
        mp_raise_ValueError(MP_ERROR_TEXT("encrypt: needs an lmk"));
    }
    check_result(netman_espnow_peer_set(&peer, mp_obj_is_true(args[0])));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_espnow_peer_obj, 6, 6, mod_netman_espnow_peer);

static mp_obj_t peer_tuple(const netman_espnow_peer_t *peer) {
    mp_obj_t items[5] = {
        mp_obj_new_bytes(peer->mac, NETMAN_MAC_LEN),
        peer->has_lmk ? mp_obj_new_bytes(peer->lmk, NETMAN_ESPNOW_KEY_LEN) : mp_const_empty_bytes,
        MP_OBJ_NEW_SMALL_INT(peer->channel), MP_OBJ_NEW_SMALL_INT(peer->ifidx), mp_obj_new_bool(peer->encrypt),
    };
    return mp_obj_new_tuple(5, items);
}

static mp_obj_t mod_netman_espnow_get_peer(mp_obj_t mac_in) {
    require_active();
    uint8_t mac[NETMAN_MAC_LEN];
    get_mac(mac_in, mac);
    netman_espnow_peer_t peer;
    check_result(netman_espnow_peer_get(mac, &peer));
    return peer_tuple(&peer);
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_get_peer_obj, mod_netman_espnow_get_peer);

static mp_obj_t mod_netman_espnow_del_peer(mp_obj_t mac_in) {
    require_active();
    uint8_t mac[NETMAN_MAC_LEN];
    get_mac(mac_in, mac);
    check_result(netman_espnow_peer_del(mac));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_espnow_del_peer_obj, mod_netman_espnow_del_peer);

static mp_obj_t mod_netman_espnow_get_peers(void) {
    require_active();
    static netman_espnow_peer_t all[NETMAN_ESPNOW_MAX_PEERS];
    size_t n = netman_espnow_peers(all, NETMAN_ESPNOW_MAX_PEERS);
    mp_obj_t list = mp_obj_new_tuple(n, NULL);
    for (size_t i = 0; i < n; i++) {
        ((mp_obj_tuple_t *)MP_OBJ_TO_PTR(list))->items[i] = peer_tuple(&all[i]);
    }
    return list;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_get_peers_obj, mod_netman_espnow_get_peers);

// espnow_irq(handler, arg): handler(arg) is scheduled once per burst of frames.
static mp_obj_t mod_netman_espnow_irq(mp_obj_t handler, mp_obj_t arg) {
    if (handler != mp_const_none && !mp_obj_is_callable(handler)) {
        mp_raise_TypeError(MP_ERROR_TEXT("irq: callback must be callable or None"));
    }
    netman_espnow_set_irq(handler == mp_const_none ? MP_OBJ_NULL : handler, arg);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_espnow_irq_obj, mod_netman_espnow_irq);

static mp_obj_t mod_netman_espnow_min_rxbuf(void) {
    return MP_OBJ_NEW_SMALL_INT(netman_espnow_min_rxbuf());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_espnow_min_rxbuf_obj, mod_netman_espnow_min_rxbuf);
