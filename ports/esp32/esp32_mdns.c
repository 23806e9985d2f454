/*
 * The mDNS responder of the mdns component (espressif/mdns, a dependency of
 * MicroPython's main component). It answers on every netif that has an
 * address, with that address, and probes and renames on a conflict by itself
 * ("<name>-2", ...). It tells nobody; from mdns 1.2 on mdns_hostname_get()
 * says which name it settled on, so a watch timer reads it and posts
 * NETMAN_EV_MDNS_NAME when the suffix changes (netman_port.cmake sets
 * NETMAN_MDNS_HOSTNAME_GET where the component has the function).
 *
 * The component's record TTLs are fixed when it is built: the configured ttl
 * cannot be applied. A start replaces MicroPython's own responder (the one
 * network.hostname() names) and a stop ends it until the next reset.
 */
#include <string.h>

#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#ifndef NO_QSTR // MicroPython's qstr scan does not get the managed components' include dirs
#include "mdns.h"
#endif

#include "esp32_port.h"

#ifndef NETMAN_MDNS_HOSTNAME_GET
#define NETMAN_MDNS_HOSTNAME_GET (0)
#endif

// Serialises start, stop and the watch: mdns_free() must not run under a
// mdns_hostname_get(). Never taken by a task the responder waits for.
static StaticSemaphore_t mutex_storage;
static SemaphoreHandle_t mutex;
static bool running;

#if NETMAN_MDNS_HOSTNAME_GET

#ifndef MDNS_NAME_BUF_LEN
#define MDNS_NAME_BUF_LEN (64 + 1) // what mdns_hostname_get() may write (public from mdns 1.4)
#endif
// Probing takes under a second; a later conflict renames at any time.
#define WATCH_US (2000 * 1000)

static esp_timer_handle_t watch;
static char hostname[NETMAN_MDNS_NAME_MAX + 1];
static int32_t reported;            // the suffix last posted, -1 before the first

// 0 for our own name, n for "<name>-<n>", -1 for a name that is neither.
static int32_t suffix_of(const char *answered) {
    size_t len = strlen(hostname);
    if (strcmp(answered, hostname) == 0) {
        return 0;
    }
    if (strncmp(answered, hostname, len) != 0 || answered[len] != '-' || answered[len + 1] == '\0') {
        return -1;
    }
    int32_t n = 0;
    for (const char *p = answered + len + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || n > UINT16_MAX / 10) {
            return -1;
        }
        n = n * 10 + (*p - '0');
    }
    return n >= 2 && n <= UINT16_MAX ? n : -1;
}

// esp_timer task.
static void on_watch(void *arg) {
    (void)arg;
    char answered[MDNS_NAME_BUF_LEN];
    int32_t suffix = -1;
    if (xSemaphoreTake(mutex, 0) != pdTRUE) {
        return; // a start or stop is under way
    }
    if (running && mdns_hostname_get(answered) == ESP_OK) {
        suffix = suffix_of(answered);
    }
    bool changed = suffix >= 0 && suffix != reported;
    if (changed) {
        reported = suffix;
    }
    xSemaphoreGive(mutex);
    if (changed) {
        netman_event_t event = { .kind = NETMAN_EV_MDNS_NAME };
        event.u.mdns_suffix = (uint16_t)suffix;
        esp32_post(&event);
    }
}

#endif // NETMAN_MDNS_HOSTNAME_GET

static void stop_locked(void) {
    if (!running) {
        return;
    }
    running = false;
    #if NETMAN_MDNS_HOSTNAME_GET
    esp_timer_stop(watch);
    #endif
    mdns_free();
}

static netman_err_t start_locked(const netman_mdns_config_t *config) {
    stop_locked(); // a running responder restarts with the new config
    esp_err_t err = mdns_init(); // ESP_OK too when MicroPython's runs already
    if (err == ESP_OK) {
        running = true;
        err = mdns_hostname_set(config->hostname);
    }
    if (err == ESP_OK) {
        err = mdns_instance_name_set(config->hostname);
    }
    for (size_t i = 0; err == ESP_OK && i < config->service_count; i++) {
        const netman_mdns_service_t *s = &config->services[i];
        err = mdns_service_add(s->instance[0] != '\0' ? s->instance : NULL, s->service, s->proto, s->port, NULL, 0);
    }
    if (err != ESP_OK) {
        stop_locked();
        return esp32_fail(NETMAN_ERR_IO, "mDNS: cannot start the responder", err);
    }
    #if NETMAN_MDNS_HOSTNAME_GET
    strncpy(hostname, config->hostname, NETMAN_MDNS_NAME_MAX);
    hostname[NETMAN_MDNS_NAME_MAX] = '\0';
    reported = -1;
    esp_timer_start_periodic(watch, WATCH_US);
    #endif
    return NETMAN_OK;
}

netman_err_t netman_hal_mdns_start(const netman_mdns_config_t *config, uint32_t address) {
    (void)address; // the responder answers with the station netif's own address
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    xSemaphoreTake(mutex, portMAX_DELAY);
    netman_err_t result = start_locked(config);
    xSemaphoreGive(mutex);
    return result;
}

void netman_hal_mdns_stop(void) {
    if (mutex == NULL) {
        return;
    }
    xSemaphoreTake(mutex, portMAX_DELAY);
    stop_locked();
    xSemaphoreGive(mutex);
}

netman_err_t esp32_mdns_open(void) {
    if (mutex == NULL) {
        mutex = xSemaphoreCreateMutexStatic(&mutex_storage);
    }
    #if NETMAN_MDNS_HOSTNAME_GET
    const esp_timer_create_args_t args = {
        .callback = on_watch,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "netman_mdns",
    };
    esp_err_t err = esp_timer_create(&args, &watch);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: no mDNS timer", err);
    }
    #endif
    return NETMAN_OK;
}

void esp32_mdns_close(void) {
    #if NETMAN_MDNS_HOSTNAME_GET
    if (watch != NULL) {
        esp_timer_stop(watch);
        esp_timer_delete(watch);
        watch = NULL;
    }
    #endif
}
