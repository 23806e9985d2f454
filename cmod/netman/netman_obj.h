/*
 * Helpers shared by the core's MicroPython-facing files.
 */
#ifndef NETMAN_OBJ_H
#define NETMAN_OBJ_H

#include "py/obj.h"

#include "netman_core.h"

// MicroPython 1.25 spells it NORETURN; later releases MP_NORETURN.
#ifndef MP_NORETURN
#define MP_NORETURN NORETURN
#endif

// The short reason string ("auth_failed", ...) of a netman_reason_t.
qstr netman_reason_qstr(uint8_t reason);
extern const qstr netman_status_qstrs[];
// "wpa2_psk" etc. of a netman_auth_t ("unknown" beyond the table).
mp_obj_t netman_authmode_obj(uint8_t authmode);
// An SSID as str: bytes that are not UTF-8 become U+FFFD (an SSID is any
// bytes; the exact ones go to Python as bytes beside it).
mp_obj_t netman_ssid_str(const uint8_t *ssid, size_t len);
// "a.b.c.d" of an address in netman_ip_t form.
mp_obj_t netman_ip_str(uint32_t address);

// Raise the facade's NetError(reason, message).
MP_NORETURN void netman_raise(qstr reason, const char *message);
// Raise the NetError matching a failed HAL request; return on NETMAN_OK.
void netman_check_request(netman_err_t err);
// dict[key] = value, with a qstr key.
void netman_store(mp_obj_t dict, qstr key, mp_obj_t value);
// Copy a str/bytes of at most `max` bytes into dest (ValueError naming
// `what` otherwise); returns its length.
size_t netman_copy_text(uint8_t *dest, mp_obj_t value, size_t max, const char *what);
bool netman_is_open(void);
// Make the guard, if there is none: a heap object whose finaliser, at the end
// of the VM (soft reset), closes the driver and clears every netman root
// pointer. Called before netman keeps anything in a root pointer.
void netman_guard(void);
// NetError("not_started") unless the radio is open.
void netman_require_open(void);

// Station bindings (netman_sta_obj.c), listed in the module table.
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sta_config_obj);
MP_DECLARE_CONST_FUN_OBJ_3(mod_netman_sta_reconnect_policy_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sta_connect_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_sta_reconnect_limit_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sta_disconnect_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sta_status_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sta_rssi_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sta_info_obj);

// Access-point bindings (netman_ap_obj.c).
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_ap_start_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_ap_stop_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_ap_info_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_ap_mac_obj);

// Persistent store bindings (netman_store_obj.c).
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_store_read_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_store_write_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_store_erase_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_store_location_obj);

// SNTP bindings (netman_sntp_obj.c).
MP_DECLARE_CONST_FUN_OBJ_3(mod_netman_sntp_config_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sntp_status_obj);

// mDNS bindings (netman_mdns_obj.c).
MP_DECLARE_CONST_FUN_OBJ_3(mod_netman_mdns_config_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_mdns_status_obj);

#if NETMAN_ESPNOW_RADIO
// ESP-NOW bindings (netman_espnow_obj.c).
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_active_obj);
MP_DECLARE_CONST_FUN_OBJ_2(mod_netman_espnow_send_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_recvinto_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_espnow_peers_table_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_espnow_any_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_espnow_stats_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_set_pmk_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_espnow_peer_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_get_peer_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_del_peer_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_espnow_get_peers_obj);
MP_DECLARE_CONST_FUN_OBJ_2(mod_netman_espnow_irq_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_espnow_peer_count_obj);
MP_DECLARE_CONST_FUN_OBJ_3(mod_netman_espnow_deliver_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_espnow_rate_obj);
#endif

// Sniffer bindings (netman_sniffer_obj.c).
extern const mp_obj_type_t netman_sniffer_frame_type;
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sniffer_start_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sniffer_stop_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sniffer_active_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_sniffer_recvinto_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sniffer_any_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_sniffer_stats_obj);
MP_DECLARE_CONST_FUN_OBJ_2(mod_netman_sniffer_irq_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_send_raw_obj);
// Stop the sniffer and forget its callback (the network closes).
void netman_sniffer_close(void);

// WPA2-Enterprise binding (netman_eap_obj.c).
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sta_eap_obj);

// Radio settings bindings (netman_radio_obj.c).
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_radio_set_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_radio_get_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_country_channels_obj);

// Channel bindings (netman_channel_obj.c).
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_radio_channel_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_set_channel_obj);

// Scan bindings (netman_scan_obj.c).
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_scan_start_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_scan_state_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mod_netman_scan_done_us_obj);
MP_DECLARE_CONST_FUN_OBJ_1(mod_netman_scan_take_obj);
// The Python callable that receives (kind, arg) for every event.
void netman_core_set_dispatcher(mp_obj_t dispatcher);
// Hold event delivery (the events stay queued), or release one hold.
void netman_core_hold(bool hold);

#endif // NETMAN_OBJ_H
