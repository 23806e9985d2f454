/*
 * netman's HAL on ESP-IDF 5.3-5.5: opening and closing the radio, the lock,
 * the one-shot timer, last_error, the WiFi and IP events, the station and our
 * access point. Scans, ESP-NOW, SNTP, mDNS and the credential store have
 * their own files.
 *
 * The radio is the one MicroPython's `network` module drives: netman reuses
 * its netifs and driver. netman_hal_open() ends network's own reconnect
 * (WLAN.disconnect()), whatever the application did with network earlier in
 * the boot; netman_hal_close() leaves the driver running exactly when network
 * believes it runs (esp32_rules_close()), so that network.WLAN works at once
 * afterwards. Driving the radio through both while netman runs is not
 * supported (each reconfigures the driver behind the other's back), except
 * that activating network's station on netman's radio leaves it running for
 * network after netman stops.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/param.h>

#include "py/runtime.h"

#include "esp_event.h"
#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_timer.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "esp32_port.h"
#include "esp32_rules.h"

#if MICROPY_PY_NETWORK_WLAN
// MicroPython's network module (ports/esp32/network_wlan.c, declared in its
// modnetwork.h): initialises the driver and the default netifs once per boot.
void esp_initialise_wifi(void);
extern const mp_obj_type_t esp_network_wlan_type;
#endif

// The rules' reason numbers are the driver's (wifi_err_reason_t; 4, 6 and 7
// under their IDF 5.3 names, which 5.4 and 5.5 keep).
#define SAME_REASON(name, idf) _Static_assert((int)ESP32_REASON_##name == (int)WIFI_REASON_##idf, #name)
SAME_REASON(UNSPECIFIED, UNSPECIFIED);
SAME_REASON(AUTH_EXPIRE, AUTH_EXPIRE);
SAME_REASON(AUTH_LEAVE, AUTH_LEAVE);
SAME_REASON(DISASSOC_DUE_TO_INACTIVITY, ASSOC_EXPIRE);
SAME_REASON(ASSOC_TOOMANY, ASSOC_TOOMANY);
SAME_REASON(CLASS2_FRAME_FROM_NONAUTH_STA, NOT_AUTHED);
SAME_REASON(CLASS3_FRAME_FROM_NONASSOC_STA, NOT_ASSOCED);
SAME_REASON(ASSOC_LEAVE, ASSOC_LEAVE);
SAME_REASON(ASSOC_NOT_AUTHED, ASSOC_NOT_AUTHED);
SAME_REASON(DISASSOC_PWRCAP_BAD, DISASSOC_PWRCAP_BAD);
SAME_REASON(DISASSOC_SUPCHAN_BAD, DISASSOC_SUPCHAN_BAD);
SAME_REASON(BSS_TRANSITION_DISASSOC, BSS_TRANSITION_DISASSOC);
SAME_REASON(IE_INVALID, IE_INVALID);
SAME_REASON(MIC_FAILURE, MIC_FAILURE);
SAME_REASON(4WAY_HANDSHAKE_TIMEOUT, 4WAY_HANDSHAKE_TIMEOUT);
SAME_REASON(GROUP_KEY_UPDATE_TIMEOUT, GROUP_KEY_UPDATE_TIMEOUT);
SAME_REASON(IE_IN_4WAY_DIFFERS, IE_IN_4WAY_DIFFERS);
SAME_REASON(GROUP_CIPHER_INVALID, GROUP_CIPHER_INVALID);
SAME_REASON(PAIRWISE_CIPHER_INVALID, PAIRWISE_CIPHER_INVALID);
SAME_REASON(AKMP_INVALID, AKMP_INVALID);
SAME_REASON(UNSUPP_RSN_IE_VERSION, UNSUPP_RSN_IE_VERSION);
SAME_REASON(INVALID_RSN_IE_CAP, INVALID_RSN_IE_CAP);
SAME_REASON(802_1X_AUTH_FAILED, 802_1X_AUTH_FAILED);
SAME_REASON(CIPHER_SUITE_REJECTED, CIPHER_SUITE_REJECTED);
SAME_REASON(BAD_CIPHER_OR_AKM, BAD_CIPHER_OR_AKM);
SAME_REASON(NOT_AUTHORIZED_THIS_LOCATION, NOT_AUTHORIZED_THIS_LOCATION);
SAME_REASON(MISSING_ACKS, MISSING_ACKS);
SAME_REASON(STA_LEAVING, STA_LEAVING);
SAME_REASON(TIMEOUT, TIMEOUT);
SAME_REASON(INVALID_PMKID, INVALID_PMKID);
SAME_REASON(BEACON_TIMEOUT, BEACON_TIMEOUT);
SAME_REASON(NO_AP_FOUND, NO_AP_FOUND);
SAME_REASON(AUTH_FAIL, AUTH_FAIL);
SAME_REASON(ASSOC_FAIL, ASSOC_FAIL);
SAME_REASON(HANDSHAKE_TIMEOUT, HANDSHAKE_TIMEOUT);
SAME_REASON(CONNECTION_FAIL, CONNECTION_FAIL);
SAME_REASON(AP_TSF_RESET, AP_TSF_RESET);
SAME_REASON(ROAMING, ROAMING);
SAME_REASON(ASSOC_COMEBACK_TIME_TOO_LONG, ASSOC_COMEBACK_TIME_TOO_LONG);
SAME_REASON(SA_QUERY_TIMEOUT, SA_QUERY_TIMEOUT);
SAME_REASON(NO_AP_FOUND_W_COMPATIBLE_SECURITY, NO_AP_FOUND_W_COMPATIBLE_SECURITY);
SAME_REASON(NO_AP_FOUND_IN_AUTHMODE_THRESHOLD, NO_AP_FOUND_IN_AUTHMODE_THRESHOLD);
SAME_REASON(NO_AP_FOUND_IN_RSSI_THRESHOLD, NO_AP_FOUND_IN_RSSI_THRESHOLD);
_Static_assert((int)ESP32_MODE_NULL == (int)WIFI_MODE_NULL && (int)ESP32_MODE_STA == (int)WIFI_MODE_STA
    && (int)ESP32_MODE_AP == (int)WIFI_MODE_AP, "wifi_mode_t");

// How long netman_hal_open() waits for WIFI_EVENT_STA_START (it comes within
// milliseconds; network.WLAN.active() waits without a bound).
#define STA_START_WAIT_MS (3000)

static portMUX_TYPE core_mux = portMUX_INITIALIZER_UNLOCKED; // netman_hal_lock()
static char last_error[128];

// Set up by netman_hal_open() (MicroPython thread).
static esp_netif_t *sta_netif;
static esp_netif_t *ap_netif;
static esp_event_handler_instance_t wifi_handler;
static esp_event_handler_instance_t ip_handler;
static esp_timer_handle_t core_timer;
static wifi_mode_t open_mode;       // the driver's mode when we opened it
static bool started_at_open;        // the driver was running when we opened it
// The default event loop's task, the one context that dispatches our events.
static TaskHandle_t event_task;

// Shared by the driver contexts and the MicroPython thread, under port_mux.
static portMUX_TYPE port_mux = portMUX_INITIALIZER_UNLOCKED;
static bool port_open;
static unsigned int driver_entries;
static esp32_sta_track_t sta;
static bool sta_started;        // WIFI_EVENT_STA_START seen, no STA_STOP since
static bool ap_up;
static uint8_t ap_channel;

// ---- shared helpers -----------------------------------------------------------

void esp32_set_error(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, args);
    va_end(args);
}

netman_err_t esp32_fail(netman_err_t err, const char *what, esp_err_t cause) {
    esp32_set_error("%s: %s (0x%x)", what, esp_err_to_name(cause), (unsigned int)cause);
    return err;
}

const char *netman_hal_last_error(void) {
    return last_error;
}

void netman_hal_lock(void) {
    taskENTER_CRITICAL(&core_mux);
}

void netman_hal_unlock(void) {
    taskEXIT_CRITICAL(&core_mux);
}

bool esp32_is_open(void) {
    taskENTER_CRITICAL(&port_mux);
    bool open = port_open;
    taskEXIT_CRITICAL(&port_mux);
    return open;
}

bool esp32_driver_enter(void) {
    taskENTER_CRITICAL(&port_mux);
    bool open = port_open;
    if (open) {
        driver_entries++;
    }
    taskEXIT_CRITICAL(&port_mux);
    return open;
}

void esp32_driver_leave(void) {
    taskENTER_CRITICAL(&port_mux);
    driver_entries--;
    taskEXIT_CRITICAL(&port_mux);
}

void esp32_post(const netman_event_t *event) {
    if (esp32_driver_enter()) {
        netman_core_post(event);
        esp32_driver_leave();
    }
}

uint32_t esp32_ip4(const esp_ip4_addr_t *addr) {
    // The driver keeps addresses in network order: a.b.c.d is the bytes a, b, c, d.
    const uint8_t *b = (const uint8_t *)&addr->addr;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void set_ip4(esp_ip4_addr_t *addr, uint32_t value) {
    uint8_t *b = (uint8_t *)&addr->addr;
    b[0] = value >> 24;
    b[1] = value >> 16;
    b[2] = value >> 8;
    b[3] = value;
}

uint8_t esp32_authmode(wifi_auth_mode_t mode) {
    switch (mode) {
        case WIFI_AUTH_OPEN:
            return NETMAN_AUTH_OPEN;
        case WIFI_AUTH_WEP:
            return NETMAN_AUTH_WEP;
        case WIFI_AUTH_WPA_PSK:
            return NETMAN_AUTH_WPA_PSK;
        case WIFI_AUTH_WPA2_PSK:
            return NETMAN_AUTH_WPA2_PSK;
        case WIFI_AUTH_WPA_WPA2_PSK:
            return NETMAN_AUTH_WPA_WPA2_PSK;
        case WIFI_AUTH_WPA3_PSK:
        case WIFI_AUTH_WPA3_EXT_PSK:
        case WIFI_AUTH_WPA3_EXT_PSK_MIXED_MODE:
        case WIFI_AUTH_DPP:
            return NETMAN_AUTH_WPA3_PSK;
        case WIFI_AUTH_WPA2_WPA3_PSK:
            return NETMAN_AUTH_WPA2_WPA3_PSK;
        case WIFI_AUTH_WAPI_PSK:
            return NETMAN_AUTH_WAPI_PSK;
        case WIFI_AUTH_OWE:
            return NETMAN_AUTH_OWE;
        default:
            // The EAP modes (which ones exist differs between IDF 5.3, 5.4 and 5.5).
            return NETMAN_AUTH_WPA2_ENTERPRISE;
    }
}

void esp32_wipe(void *data, size_t len) {
    volatile uint8_t *p = data;
    while (len--) {
        *p++ = 0;
    }
}

// ---- events (esp_event task) ----------------------------------------------------

// One radio: our AP follows the channel of the AP the station joined.
static void follow_channel(uint8_t channel) {
    taskENTER_CRITICAL(&port_mux);
    bool moved = ap_up && channel != ap_channel;
    if (moved) {
        ap_channel = channel;
    }
    taskEXIT_CRITICAL(&port_mux);
    if (moved) {
        netman_event_t event = { .kind = NETMAN_EV_AP_CHANNEL };
        event.u.channel = channel;
        netman_core_post(&event);
    }
}

static void on_sta_connected(const wifi_event_sta_connected_t *connected) {
    netman_event_t event = { .kind = NETMAN_EV_STA_CONNECTED };
    memcpy(event.u.assoc.bssid, connected->bssid, NETMAN_MAC_LEN);
    event.u.assoc.channel = connected->channel;
    event.u.assoc.authmode = esp32_authmode(connected->authmode);
    wifi_ap_record_t ap;
    if (esp_wifi_sta_get_ap_info(&ap) == ESP_OK) {
        event.u.assoc.rssi = ap.rssi;
    }
    taskENTER_CRITICAL(&port_mux);
    esp32_track_connected(&sta, connected->channel);
    taskEXIT_CRITICAL(&port_mux);
    netman_core_post(&event);
    follow_channel(connected->channel);
}

static void on_sta_disconnected(const wifi_event_sta_disconnected_t *disconnected) {
    netman_reason_t reason = NETMAN_REASON_NONE;
    taskENTER_CRITICAL(&port_mux);
    bool news = esp32_track_disconnected(&sta, disconnected->reason, &reason);
    taskEXIT_CRITICAL(&port_mux);
    if (news) {
        netman_event_t event = { .kind = NETMAN_EV_STA_DISCONNECTED };
        event.u.reason = reason;
        netman_core_post(&event);
    }
}

static void on_channel_change(const wifi_event_home_channel_change_t *change) {
    taskENTER_CRITICAL(&port_mux);
    bool moved = esp32_track_channel(&sta, change->new_chan);
    taskEXIT_CRITICAL(&port_mux);
    if (moved) {
        netman_event_t event = { .kind = NETMAN_EV_STA_CHANNEL };
        event.u.channel = change->new_chan;
        netman_core_post(&event);
    }
    follow_channel(change->new_chan);
}

// The channel the driver is on now, as the idle channel (the core uses it
// only while the station is not joined and our AP is off).
static void post_radio_channel(void) {
    uint8_t primary = 0;
    wifi_second_chan_t second;
    if (esp_wifi_get_channel(&primary, &second) == ESP_OK) {
        netman_event_t event = { .kind = NETMAN_EV_RADIO_CHANNEL };
        event.u.channel = primary;
        esp32_post(&event);
    }
}

// Also called by netman_hal_ap_start() when it reconfigured a running AP.
static void post_ap_started(void) {
    esp_netif_ip_info_t info;
    memset(&info, 0, sizeof(info));
    esp_netif_get_ip_info(ap_netif, &info);
    uint8_t primary = 0;
    wifi_second_chan_t second;
    esp_wifi_get_channel(&primary, &second);
    taskENTER_CRITICAL(&port_mux);
    ap_up = true;
    ap_channel = primary;
    taskEXIT_CRITICAL(&port_mux);
    netman_event_t event = { .kind = NETMAN_EV_AP_STARTED };
    event.u.ap.address = esp32_ip4(&info.ip);
    event.u.ap.netmask = esp32_ip4(&info.netmask);
    event.u.ap.channel = primary;
    netman_core_post(&event);
}

static void on_ap_station(int32_t id, const uint8_t mac[NETMAN_MAC_LEN]) {
    netman_event_t event = { .kind = NETMAN_EV_AP_STA_DISCONNECTED };
    memcpy(event.u.station.mac, mac, NETMAN_MAC_LEN);
    if (id == WIFI_EVENT_AP_STACONNECTED) {
        // Only this task uses it; too big for its stack.
        static wifi_sta_list_t list;
        event.kind = NETMAN_EV_AP_STA_CONNECTED;
        if (esp_wifi_ap_get_sta_list(&list) == ESP_OK) {
            for (int i = 0; i < list.num; i++) {
                if (memcmp(list.sta[i].mac, mac, NETMAN_MAC_LEN) == 0) {
                    event.u.station.rssi = list.sta[i].rssi;
                }
            }
        }
    }
    netman_core_post(&event);
}

static void on_wifi_event(int32_t id, void *data) {
    switch (id) {
        case WIFI_EVENT_STA_START:
        case WIFI_EVENT_STA_STOP:
            taskENTER_CRITICAL(&port_mux);
            sta_started = id == WIFI_EVENT_STA_START;
            taskEXIT_CRITICAL(&port_mux);
            break;
        case WIFI_EVENT_SCAN_DONE:
            esp32_scan_done(data);
            break;
        case WIFI_EVENT_STA_CONNECTED:
            on_sta_connected(data);
            break;
        case WIFI_EVENT_STA_DISCONNECTED:
            on_sta_disconnected(data);
            break;
        case WIFI_EVENT_STA_BEACON_TIMEOUT: {
            netman_event_t event = { .kind = NETMAN_EV_STA_BEACON_TIMEOUT };
            netman_core_post(&event);
            break;
        }
        case WIFI_EVENT_HOME_CHANNEL_CHANGE:
            on_channel_change(data);
            break;
        case WIFI_EVENT_AP_START:
            post_ap_started();
            break;
        case WIFI_EVENT_AP_STOP:
            taskENTER_CRITICAL(&port_mux);
            ap_up = false;
            taskEXIT_CRITICAL(&port_mux);
            break;
        case WIFI_EVENT_AP_STACONNECTED:
            on_ap_station(id, ((const wifi_event_ap_staconnected_t *)data)->mac);
            break;
        case WIFI_EVENT_AP_STADISCONNECTED:
            on_ap_station(id, ((const wifi_event_ap_stadisconnected_t *)data)->mac);
            break;
        default:
            break;
    }
}

static void on_ip_event(int32_t id, void *data) {
    if (id == IP_EVENT_STA_GOT_IP) {
        const ip_event_got_ip_t *got = data;
        taskENTER_CRITICAL(&port_mux);
        bool current = esp32_track_got_ip(&sta);
        taskEXIT_CRITICAL(&port_mux);
        if (!current) {
            return;
        }
        netman_event_t event = { .kind = NETMAN_EV_STA_GOT_IP };
        event.u.ip.address = esp32_ip4(&got->ip_info.ip);
        event.u.ip.netmask = esp32_ip4(&got->ip_info.netmask);
        event.u.ip.gateway = esp32_ip4(&got->ip_info.gw);
        esp_netif_dns_info_t dns;
        memset(&dns, 0, sizeof(dns));
        if (esp_netif_get_dns_info(got->esp_netif, ESP_NETIF_DNS_MAIN, &dns) == ESP_OK
            && dns.ip.type == ESP_IPADDR_TYPE_V4) {
            event.u.ip.dns = esp32_ip4(&dns.ip.u_addr.ip4);
        }
        netman_core_post(&event);
    } else if (id == IP_EVENT_AP_STAIPASSIGNED) {
        const ip_event_ap_staipassigned_t *assigned = data;
        netman_event_t event = { .kind = NETMAN_EV_AP_STA_IP_ASSIGNED };
        memcpy(event.u.station.mac, assigned->mac, NETMAN_MAC_LEN);
        event.u.station.address = esp32_ip4(&assigned->ip);
        netman_core_post(&event);
    }
}

bool esp32_in_dispatch(void) {
    return event_task != NULL && xTaskGetCurrentTaskHandle() == event_task;
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
    (void)arg;
    // Only the default loop's task calls this (esp_event.c: handlers run in
    // the loop's task): whatever runs in that task is inside a dispatch.
    event_task = xTaskGetCurrentTaskHandle();
    if (!esp32_driver_enter()) {
        return;
    }
    if (base == WIFI_EVENT) {
        on_wifi_event(id, data);
    } else {
        on_ip_event(id, data);
    }
    esp32_driver_leave();
}

// ---- the one-shot timer (esp_timer task) -----------------------------------------

static void on_timer(void *arg) {
    (void)arg;
    if (esp32_driver_enter()) {
        netman_event_t event = { .kind = NETMAN_EV_TIMER };
        netman_core_post(&event);
        esp32_driver_leave();
    }
}

void netman_hal_timer_arm(uint32_t ms) {
    if (core_timer == NULL) {
        return;
    }
    // Armed from several tasks (netman_timer.c): a start that loses a race
    // with another stop-then-start is repeated by the core, which arms again
    // whenever another task computed a deadline after it.
    esp_timer_stop(core_timer);
    esp_timer_start_once(core_timer, (uint64_t)ms * 1000);
}

void netman_hal_timer_cancel(void) {
    if (core_timer != NULL) {
        esp_timer_stop(core_timer);
    }
}

// ---- open and close (MicroPython thread) ---------------------------------------------

// esp_netif, the default event loop, the default WiFi netifs and the driver:
// whatever MicroPython did not bring up yet.
static netman_err_t start_driver(void) {
    esp_err_t err = esp_netif_init();
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: esp_netif_init", err);
    }
    err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) { // MicroPython's main made it
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: no default event loop", err);
    }
    #if MICROPY_PY_NETWORK_WLAN
    // Let the network module create the netifs (it remembers that it did:
    // creating them twice would abort), and turn its exception into our error.
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        esp32_set_error("no radio: the WiFi driver did not start (network.WLAN() tells why)");
        return NETMAN_ERR_NO_RADIO;
    }
    esp_initialise_wifi();
    nlr_pop();
    #else
    if (esp_netif_get_handle_from_ifkey("WIFI_STA_DEF") == NULL) {
        esp_netif_create_default_wifi_sta();
    }
    if (esp_netif_get_handle_from_ifkey("WIFI_AP_DEF") == NULL) {
        esp_netif_create_default_wifi_ap();
    }
    wifi_init_config_t config = WIFI_INIT_CONFIG_DEFAULT();
    err = esp_wifi_init(&config); // ESP_OK when it runs already
    if (err == ESP_OK) {
        err = esp_wifi_set_storage(WIFI_STORAGE_RAM);
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: esp_wifi_init", err);
    }
    #endif
    return NETMAN_OK;
}

static void teardown(void) {
    if (wifi_handler != NULL) {
        esp_event_handler_instance_unregister(WIFI_EVENT, ESP_EVENT_ANY_ID, wifi_handler);
        wifi_handler = NULL;
    }
    if (ip_handler != NULL) {
        esp_event_handler_instance_unregister(IP_EVENT, ESP_EVENT_ANY_ID, ip_handler);
        ip_handler = NULL;
    }
    esp32_espnow_close();
    netman_hal_sntp_stop();
    netman_hal_mdns_stop();
    esp32_sntp_close();
    esp32_mdns_close();
    esp32_scan_reset();
    if (core_timer != NULL) {
        esp_timer_stop(core_timer);
        esp_timer_delete(core_timer);
        core_timer = NULL;
    }
}

#if MICROPY_PY_NETWORK_WLAN
// network.WLAN(interface).<method>() through network's public path, its
// exception caught: false if it raised.
static bool network_call(esp_interface_t interface, qstr method, mp_obj_t *result) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        return false;
    }
    mp_obj_t wlan = mp_call_function_1(MP_OBJ_FROM_PTR(&esp_network_wlan_type), MP_OBJ_NEW_SMALL_INT(interface));
    mp_obj_t call[2];
    mp_load_method(wlan, method, call);
    *result = mp_call_method_n_kw(0, 0, call);
    nlr_pop();
    return true;
}

// network's WLAN(STA_IF).disconnect(): the one way to clear its
// `wifi_sta_connect_requested` (network_wlan.c, network_wlan_disconnect()),
// which otherwise has its event handler call esp_wifi_connect() on every
// STA_DISCONNECTED. It clears the flag before it calls esp_wifi_disconnect(),
// so also on a stopped driver, where it then raises (ESP_ERR_WIFI_NOT_STARTED).
// True if it also left network's session or join (it did not raise).
static bool network_leave(void) {
    mp_obj_t none;
    return network_call(ESP_IF_WIFI_STA, MP_QSTR_disconnect, &none);
}

// Whether network believes the driver runs: network_wlan_active() without
// an argument answers false for both interfaces while its `wifi_started` is
// unset, else whether the interface is in the driver's mode (never
// WIFI_MODE_NULL while network has it started).
static bool network_started(void) {
    mp_obj_t sta_active = mp_const_false, ap_active = mp_const_false;
    network_call(ESP_IF_WIFI_STA, MP_QSTR_active, &sta_active);
    network_call(ESP_IF_WIFI_AP, MP_QSTR_active, &ap_active);
    return sta_active == mp_const_true || ap_active == mp_const_true;
}
#endif

// WIFI_EVENT_STA_START, posted after esp_wifi_start() or when the station
// joins a running driver's mode. Requests made before it fail or crash on
// some IDF versions (MicroPython's WLAN.active() waits for it too).
static bool wait_sta_start(void) {
    for (int waited = 0; waited < STA_START_WAIT_MS; waited += portTICK_PERIOD_MS) {
        taskENTER_CRITICAL(&port_mux);
        bool started = sta_started;
        taskEXIT_CRITICAL(&port_mux);
        if (started) {
            return true;
        }
        vTaskDelay(1);
    }
    return false;
}

netman_err_t netman_hal_open(uint8_t mac[NETMAN_MAC_LEN]) {
    if (esp32_is_open()) {
        esp32_set_error("the radio is already open");
        return NETMAN_ERR_STATE;
    }
    netman_err_t result = start_driver();
    if (result != NETMAN_OK) {
        return result;
    }
    sta_netif = esp_netif_get_handle_from_ifkey("WIFI_STA_DEF");
    ap_netif = esp_netif_get_handle_from_ifkey("WIFI_AP_DEF");
    if (sta_netif == NULL || ap_netif == NULL) {
        esp32_set_error("no radio: the default WiFi netifs are missing");
        return NETMAN_ERR_NO_RADIO;
    }
    esp_err_t err = esp_read_mac(mac, ESP_MAC_WIFI_STA);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: cannot read the MAC address", err);
    }

    // Who started the driver: esp_wifi_scan_get_ap_num() answers
    // ESP_ERR_WIFI_NOT_STARTED until esp_wifi_start() ran (esp_wifi.h).
    uint16_t heard;
    bool driver_started = esp_wifi_scan_get_ap_num(&heard) != ESP_ERR_WIFI_NOT_STARTED;
    open_mode = WIFI_MODE_NULL;
    esp_wifi_get_mode(&open_mode);
    esp32_open_plan_t plan = esp32_rules_open(driver_started, (open_mode & WIFI_MODE_STA) != 0);
    started_at_open = driver_started;
    wifi_ap_record_t current;
    bool associated = esp_wifi_sta_get_ap_info(&current) == ESP_OK;
    bool network_left = false;
    #if MICROPY_PY_NETWORK_WLAN
    // Whatever the application did with network earlier in the boot (a
    // WLAN.connect(), then perhaps active(False)): its reconnect ends here.
    network_left = network_leave();
    #endif
    esp32_track_open(&sta, associated, network_left);
    sta_started = driver_started && (open_mode & WIFI_MODE_STA);
    ap_up = false;
    ap_channel = 0;

    const esp_timer_create_args_t timer_args = {
        .callback = on_timer,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "netman",
    };
    err = esp_timer_create(&timer_args, &core_timer);
    if (err != ESP_OK) {
        teardown();
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: no timer", err);
    }
    result = esp32_sntp_open();
    if (result == NETMAN_OK) {
        result = esp32_mdns_open();
    }
    if (result != NETMAN_OK) {
        teardown();
        return result;
    }
    taskENTER_CRITICAL(&port_mux);
    port_open = true;
    taskEXIT_CRITICAL(&port_mux);
    err = esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL, &wifi_handler);
    if (err == ESP_OK) {
        err = esp_event_handler_instance_register(IP_EVENT, ESP_EVENT_ANY_ID, on_event, NULL, &ip_handler);
    }
    // The station is always on: scans and ESP-NOW need it; the AP joins it on demand.
    if (err == ESP_OK && open_mode != WIFI_MODE_STA) {
        err = esp_wifi_set_mode(WIFI_MODE_STA);
    }
    if (err == ESP_OK && plan.start_driver) {
        err = esp_wifi_start();
    }
    if (err != ESP_OK) {
        netman_hal_close();
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: the WiFi driver did not start", err);
    }
    if (plan.wait_sta_start && !wait_sta_start()) {
        netman_hal_close();
        esp32_set_error("no radio: the WiFi driver did not start the station (no WIFI_EVENT_STA_START in %d ms)",
            STA_START_WAIT_MS);
        return NETMAN_ERR_NO_RADIO;
    }
    post_radio_channel();
    return NETMAN_OK;
}

void netman_hal_close(void) {
    taskENTER_CRITICAL(&port_mux);
    bool was_open = port_open;
    port_open = false;
    taskEXIT_CRITICAL(&port_mux);
    if (!was_open) {
        return;
    }
    // Callbacks already inside the core finish (new ones find the port
    // closed); then nothing they started is left running.
    for (;;) {
        taskENTER_CRITICAL(&port_mux);
        bool busy = driver_entries != 0;
        taskEXIT_CRITICAL(&port_mux);
        if (!busy) {
            break;
        }
        vTaskDelay(1);
    }
    teardown();
    #if MICROPY_PY_NETWORK_WLAN
    bool network_has_it = network_started();
    #else
    bool network_has_it = started_at_open; // nobody else starts the driver
    #endif
    esp32_close_plan_t plan = esp32_rules_close(network_has_it, started_at_open, open_mode);
    if (plan.stop_driver) {
        esp_wifi_stop();
    } else {
        // Kept running for network, without our session (its reconnect was
        // ended at open: this leave stays left).
        esp_wifi_disconnect();
        esp_wifi_set_mode(plan.mode);
    }
    // The EAP client holds pointers into the credentials the core drops next.
    esp32_eap_apply(NULL);
}

// ---- the station ---------------------------------------------------------------

// DHCP, or the static address in params (which the driver reports with
// IP_EVENT_STA_GOT_IP once associated).
static esp_err_t configure_address(const netman_sta_params_t *params) {
    esp_netif_dhcp_status_t status;
    esp_err_t err = esp_netif_dhcpc_get_status(sta_netif, &status);
    if (err != ESP_OK) {
        return err;
    }
    esp_netif_ip_info_t info;
    memset(&info, 0, sizeof(info));
    if (!params->static_ip) {
        if (status != ESP_NETIF_DHCP_STOPPED) {
            return ESP_OK;
        }
        // Back from a static address: drop it, then ask DHCP again.
        esp_netif_set_ip_info(sta_netif, &info);
        return esp_netif_dhcpc_start(sta_netif);
    }
    if (status != ESP_NETIF_DHCP_STOPPED && (err = esp_netif_dhcpc_stop(sta_netif)) != ESP_OK) {
        return err;
    }
    set_ip4(&info.ip, params->ip.address);
    set_ip4(&info.netmask, params->ip.netmask);
    set_ip4(&info.gw, params->ip.gateway);
    err = esp_netif_set_ip_info(sta_netif, &info);
    if (err == ESP_OK && params->ip.dns != 0) {
        esp_netif_dns_info_t dns;
        memset(&dns, 0, sizeof(dns));
        dns.ip.type = ESP_IPADDR_TYPE_V4;
        set_ip4(&dns.ip.u_addr.ip4, params->ip.dns);
        err = esp_netif_set_dns_info(sta_netif, ESP_NETIF_DNS_MAIN, &dns);
    }
    return err;
}

netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    taskENTER_CRITICAL(&port_mux);
    bool session = esp32_track_join(&sta);
    taskEXIT_CRITICAL(&port_mux);
    if (session) {
        esp_wifi_disconnect();
    }
    esp_err_t err = ESP_OK;
    if (params->hostname[0] != '\0') {
        err = esp_netif_set_hostname(sta_netif, params->hostname);
    }
    if (err == ESP_OK) {
        err = configure_address(params);
    }
    if (err != ESP_OK) {
        taskENTER_CRITICAL(&port_mux);
        esp32_track_join_failed(&sta);
        taskEXIT_CRITICAL(&port_mux);
        return esp32_fail(NETMAN_ERR_IO, "station: cannot configure the address", err);
    }
    netman_err_t refused = esp32_eap_apply(params->eap);
    if (refused != NETMAN_OK) {
        taskENTER_CRITICAL(&port_mux);
        esp32_track_join_failed(&sta);
        taskEXIT_CRITICAL(&port_mux);
        return refused;
    }
    wifi_config_t config;
    memset(&config, 0, sizeof(config));
    memcpy(config.sta.ssid, params->ssid, MIN(params->ssid_len, sizeof(config.sta.ssid)));
    memcpy(config.sta.password, params->psk, MIN(params->psk_len, sizeof(config.sta.password)));
    // The strongest AP with that name, not the first one heard. The authmode
    // threshold stays the driver's: WPA2 or better when there is a password.
    config.sta.scan_method = WIFI_ALL_CHANNEL_SCAN;
    config.sta.sort_method = WIFI_CONNECT_AP_BY_SIGNAL;
    // A pinned BSSID: the driver's scan joins that AP only (wifi_sta_config_t.bssid_set).
    config.sta.bssid_set = params->bssid_set;
    memcpy(config.sta.bssid, params->bssid, NETMAN_MAC_LEN);
    err = esp_wifi_set_config(WIFI_IF_STA, &config);
    esp32_wipe(&config, sizeof(config));
    if (err == ESP_OK) {
        err = esp_wifi_connect();
    }
    if (err != ESP_OK) {
        taskENTER_CRITICAL(&port_mux);
        esp32_track_join_failed(&sta);
        taskEXIT_CRITICAL(&port_mux);
        if (err == ESP_ERR_WIFI_STATE) {
            // esp_wifi_set_config() while the driver is still connecting
            // (we left the join under way first, which it may not have
            // finished), esp_wifi_connect() while a scan runs (esp_wifi.h,
            // attention 3): a join that can work a moment later.
            return esp32_fail(NETMAN_ERR_BUSY, "station: the driver is busy joining", err);
        }
        return esp32_fail(NETMAN_ERR_IO, "station: cannot start joining", err);
    }
    return NETMAN_OK;
}

netman_err_t netman_hal_sta_disconnect(void) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    taskENTER_CRITICAL(&port_mux);
    bool idle = esp32_track_leave(&sta);
    taskEXIT_CRITICAL(&port_mux);
    if (idle) {
        // Nothing to leave, and the driver would not say so: answer ourselves.
        netman_event_t event = { .kind = NETMAN_EV_STA_DISCONNECTED };
        event.u.reason = NETMAN_REASON_BY_REQUEST;
        esp32_post(&event);
        return NETMAN_OK;
    }
    esp_err_t err = esp_wifi_disconnect();
    if (err != ESP_OK) {
        taskENTER_CRITICAL(&port_mux);
        esp32_track_leave_failed(&sta);
        taskEXIT_CRITICAL(&port_mux);
        return esp32_fail(NETMAN_ERR_IO, "station: cannot leave the AP", err);
    }
    return NETMAN_OK;
}

netman_err_t netman_hal_sta_rssi(int8_t *rssi) {
    wifi_ap_record_t ap;
    if (!esp32_is_open() || esp_wifi_sta_get_ap_info(&ap) != ESP_OK) {
        esp32_set_error("station: not associated");
        return NETMAN_ERR_STATE;
    }
    *rssi = ap.rssi;
    return NETMAN_OK;
}

// ---- our access point --------------------------------------------------------------

netman_err_t netman_hal_ap_start(const netman_ap_params_t *params) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    wifi_mode_t mode;
    esp_err_t err = esp_wifi_get_mode(&mode);
    if (err == ESP_OK && !(mode & WIFI_MODE_AP)) {
        // The driver takes an AP configuration only with the AP interface on.
        err = esp_wifi_set_mode((wifi_mode_t)(mode | WIFI_MODE_AP));
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "access point: cannot turn the AP interface on", err);
    }
    if (!(mode & WIFI_MODE_AP)) {
        esp32_radio_follow_station();
    }
    wifi_config_t config;
    memset(&config, 0, sizeof(config));
    memcpy(config.ap.ssid, params->ssid, MIN(params->ssid_len, sizeof(config.ap.ssid)));
    config.ap.ssid_len = params->ssid_len;
    memcpy(config.ap.password, params->psk, MIN(params->psk_len, sizeof(config.ap.password)));
    config.ap.authmode = params->psk_len != 0 ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    config.ap.channel = params->channel;
    config.ap.ssid_hidden = params->hidden;
    config.ap.max_connection = params->max_connections;
    taskENTER_CRITICAL(&port_mux);
    bool running = ap_up;
    taskEXIT_CRITICAL(&port_mux);
    err = esp_wifi_set_config(WIFI_IF_AP, &config);
    esp32_wipe(&config, sizeof(config));
    if (err != ESP_OK) {
        if (!(mode & WIFI_MODE_AP)) {
            esp_wifi_set_mode(mode);
        }
        return esp32_fail(NETMAN_ERR_IO, "access point: the driver refused the configuration", err);
    }
    if (running) {
        // The driver reconfigures a running AP in place, and need not post
        // AP_START again: report it ourselves (the core takes a repeat calmly).
        if (esp32_driver_enter()) {
            post_ap_started();
            esp32_driver_leave();
        }
    }
    return NETMAN_OK;
}

// Dropping WIFI_MODE_AP stops the AP (the driver posts WIFI_EVENT_AP_STOP) and
// keeps the station's association, as MicroPython's WLAN(AP_IF).active(False)
// relies on (ports/esp32/network_wlan.c, network_wlan_active).
netman_err_t netman_hal_ap_stop(void) {
    if (!esp32_is_open()) {
        return NETMAN_OK;
    }
    wifi_mode_t mode;
    esp_err_t err = esp_wifi_get_mode(&mode);
    if (err == ESP_OK && (mode & WIFI_MODE_AP)) {
        err = esp_wifi_set_mode((wifi_mode_t)(mode & ~WIFI_MODE_AP));
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "access point: the driver did not stop it", err);
    }
    return NETMAN_OK;
}

// The factory MAC of the soft-AP interface (base MAC + 1 on most chips),
// readable whether the AP runs or not.
netman_err_t netman_hal_ap_mac(uint8_t mac[NETMAN_MAC_LEN]) {
    esp_err_t err = esp_read_mac(mac, ESP_MAC_WIFI_SOFTAP);
    return err == ESP_OK ? NETMAN_OK : esp32_fail(NETMAN_ERR_IO, "access point: cannot read its MAC address", err);
}

// As MicroPython sets the STA channel (network_wlan.c, config(channel=)):
// esp_wifi_set_channel with the current secondary channel, swapped if the
// driver refuses it for the new primary.
netman_err_t netman_hal_set_channel(uint8_t channel) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    uint8_t old_primary;
    wifi_second_chan_t secondary;
    esp_err_t err = esp_wifi_get_channel(&old_primary, &secondary);
    if (err == ESP_OK) {
        err = esp_wifi_set_channel(channel, secondary);
        if (err == ESP_ERR_INVALID_ARG) {
            secondary = secondary == WIFI_SECOND_CHAN_ABOVE ? WIFI_SECOND_CHAN_BELOW
                : secondary == WIFI_SECOND_CHAN_BELOW ? WIFI_SECOND_CHAN_ABOVE : WIFI_SECOND_CHAN_NONE;
            err = esp_wifi_set_channel(channel, secondary);
        }
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "radio: the driver refused the channel", err);
    }
    taskENTER_CRITICAL(&port_mux);
    bool joined = sta.phase == ESP32_STA_ASSOCIATED;
    taskEXIT_CRITICAL(&port_mux);
    if (!joined && esp32_driver_enter()) {
        follow_channel(channel);
        esp32_driver_leave();
    }
    post_radio_channel();
    return NETMAN_OK;
}
