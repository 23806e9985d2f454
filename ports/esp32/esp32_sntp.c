/*
 * SNTP through esp_netif_sntp (lwIP's client). A sync arrives as lwIP's
 * callback in the tcpip task. lwIP reports no failures, so a watchdog (an
 * esp_timer) posts NETMAN_EV_SNTP_FAILED for every attempt that ends without
 * a sync, roughly in step with lwIP's retries (15 s, doubling, at most
 * 150 s apart): NO_SERVER when no server address is known (the name did not
 * resolve, or DHCP named none), TIMEOUT otherwise.
 */
#include <string.h>
#include <sys/time.h>

#include "esp_netif_sntp.h"
#include "esp_sntp.h"
#include "esp_timer.h"
#include "lwip/apps/sntp_opts.h"
#include "lwip/ip_addr.h"

#include "esp32_port.h"

// lwIP sends to this port only (SNTP_PORT, fixed when lwIP is built).
#define NTP_PORT (123)

#ifdef CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY
#define STARTUP_DELAY_MS (CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY)
#else
#define STARTUP_DELAY_MS (0)
#endif
// How late a reply may be, after lwIP's wait before the attempt.
#define REPLY_MS (SNTP_RECV_TIMEOUT + 2000)

// lwIP keeps a pointer to the server name, not a copy.
static char server[80];
static volatile bool sntp_running;
static esp_timer_handle_t watchdog;
static uint32_t sync_interval_ms;   // between syncs, as lwIP keeps it
static uint32_t retry_ms;           // lwIP's wait before its next retry
// Our clock at the last sync (or start), to tell how far the next sync moves it.
static int64_t ref_uptime_us;
static int64_t ref_clock_us;

static int64_t clock_us(void) {
    struct timeval now;
    gettimeofday(&now, NULL);
    return (int64_t)now.tv_sec * 1000000 + now.tv_usec;
}

// lwIP has already set the clock when it calls this (tcpip task).
static void on_sync(struct timeval *tv) {
    if (!esp32_driver_enter()) {
        return;
    }
    int64_t uptime = esp_timer_get_time();
    int64_t synced = (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
    // What our clock would say now without this sync.
    int64_t offset_ms = (synced - (ref_clock_us + (uptime - ref_uptime_us))) / 1000;
    ref_uptime_us = uptime;
    ref_clock_us = synced;
    retry_ms = SNTP_RETRY_TIMEOUT;
    esp_timer_stop(watchdog);
    esp_timer_start_once(watchdog, (uint64_t)(sync_interval_ms + REPLY_MS) * 1000);
    netman_event_t event = { .kind = NETMAN_EV_SNTP_SYNC };
    event.u.sntp.tv_sec = (uint32_t)tv->tv_sec;
    event.u.sntp.tv_usec = (uint32_t)tv->tv_usec;
    event.u.sntp.offset_ms = offset_ms;
    netman_core_post(&event);
    esp32_driver_leave();
}

// An attempt window ended without a sync (esp_timer task); lwIP keeps trying.
static void on_watchdog(void *arg) {
    (void)arg;
    if (!esp32_driver_enter()) {
        return;
    }
    if (!sntp_running) {
        esp32_driver_leave();
        return;
    }
    const ip_addr_t *address = esp_sntp_getserver(0);
    netman_event_t event = { .kind = NETMAN_EV_SNTP_FAILED };
    event.u.reason = address == NULL || ip_addr_isany(address) ? NETMAN_REASON_NO_SERVER : NETMAN_REASON_TIMEOUT;
    esp_timer_start_once(watchdog, (uint64_t)(retry_ms + REPLY_MS) * 1000);
    retry_ms = retry_ms * 2 < SNTP_RETRY_TIMEOUT_MAX ? retry_ms * 2 : SNTP_RETRY_TIMEOUT_MAX;
    netman_core_post(&event);
    esp32_driver_leave();
}

// A start that cannot work is an attempt that failed.
static netman_err_t refuse(netman_reason_t reason) {
    netman_event_t event = { .kind = NETMAN_EV_SNTP_FAILED };
    event.u.reason = reason;
    esp32_post(&event);
    return NETMAN_ERR_IO;
}

netman_err_t netman_hal_sntp_start(const char *host, uint16_t port, uint32_t interval_ms) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    netman_hal_sntp_stop(); // starting again replaces the server
    if (port != NTP_PORT) {
        esp32_set_error("SNTP: ESP-IDF's client only talks to port %u, not %u",
            (unsigned int)NTP_PORT, (unsigned int)port);
        return refuse(NETMAN_REASON_NO_SERVER);
    }
    size_t len = strlen(host);
    if (len >= sizeof(server)) {
        esp32_set_error("SNTP: the server name is too long");
        return refuse(NETMAN_REASON_NO_SERVER);
    }
    memcpy(server, host, len + 1);
    esp_sntp_config_t config = ESP_NETIF_SNTP_DEFAULT_CONFIG(server);
    config.wait_for_sync = false; // nobody waits: syncs go up as events
    config.sync_cb = on_sync;
    if (len == 0) {
        #if CONFIG_LWIP_DHCP_GET_NTP_SRV
        // The server the lease named; lwIP noted it (see esp32_sntp_open()).
        config.server_from_dhcp = true;
        config.num_of_servers = 0;
        #else
        esp32_set_error("SNTP: no server given, and this firmware cannot take one from DHCP "
            "(CONFIG_LWIP_DHCP_GET_NTP_SRV is off)");
        return refuse(NETMAN_REASON_NO_SERVER);
        #endif
    } else {
        #if CONFIG_LWIP_DHCP_GET_NTP_SRV
        // A lease renewal must not replace the server we were given.
        esp_sntp_servermode_dhcp(false);
        #endif
    }
    esp_sntp_set_sync_interval(interval_ms); // lwIP keeps at least 15 s
    sync_interval_ms = esp_sntp_get_sync_interval();
    retry_ms = SNTP_RETRY_TIMEOUT;
    ref_uptime_us = esp_timer_get_time();
    ref_clock_us = clock_us();
    esp_err_t err = esp_netif_sntp_init(&config);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "SNTP: cannot start", err);
    }
    sntp_running = true;
    esp_timer_start_once(watchdog, (uint64_t)(STARTUP_DELAY_MS + REPLY_MS) * 1000);
    return NETMAN_OK;
}

void netman_hal_sntp_stop(void) {
    if (!sntp_running) {
        return;
    }
    sntp_running = false;
    esp_timer_stop(watchdog);
    esp_netif_sntp_deinit();
    if (server[0] != '\0') {
        // Forget the name (and the address it resolved to): a later start
        // with no name must not find it there.
        esp_sntp_setserver(0, NULL);
    }
    #if CONFIG_LWIP_DHCP_GET_NTP_SRV
    esp_sntp_servermode_dhcp(true);
    #endif
}

netman_err_t esp32_sntp_open(void) {
    const esp_timer_create_args_t args = {
        .callback = on_watchdog,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "netman_sntp",
    };
    esp_err_t err = esp_timer_create(&args, &watchdog);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: no SNTP timer", err);
    }
    #if CONFIG_LWIP_DHCP_GET_NTP_SRV
    // SNTP starts only once the station has its lease, too late to hear the
    // NTP server the lease names: have lwIP note it from now on.
    esp_sntp_servermode_dhcp(true);
    #endif
    return NETMAN_OK;
}

void esp32_sntp_close(void) {
    #if CONFIG_LWIP_DHCP_GET_NTP_SRV
    esp_sntp_servermode_dhcp(false);
    #endif
    if (watchdog != NULL) {
        esp_timer_stop(watchdog);
        esp_timer_delete(watchdog);
        watchdog = NULL;
    }
}
