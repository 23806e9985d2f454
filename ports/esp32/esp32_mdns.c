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
 *
 * The core starts and stops the responder from inside our event handler
 * (on got_ip and disconnected). mdns_free() unregisters the component's own
 * event handlers, which must not happen inside a dispatch
 * (esp32_rules_mdns_now()): such a request is recorded and carried out by a
 * one-shot esp_timer in the timer task. Every request sets what the
 * responder should be (`wanted`, numbered); whoever holds the mutex brings
 * the responder there, so the last request wins whichever context runs it.
 */
#include <string.h>

#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#ifndef NO_QSTR // MicroPython's qstr scan does not get the managed components' include dirs
#include "mdns.h"
#endif

#include "esp32_port.h"
#include "esp32_rules.h"

#ifndef NETMAN_MDNS_HOSTNAME_GET
#define NETMAN_MDNS_HOSTNAME_GET (0)
#endif

// Serialises start, stop and the watch: mdns_free() must not run under a
// mdns_hostname_get(). The event task never waits for it: whoever holds it
// may be inside mdns_free(), waiting for the event loop.
static StaticSemaphore_t mutex_storage;
static SemaphoreHandle_t mutex;
static bool running;                            // under mutex
static uint32_t applied;                        // the last request carried out, under mutex

// The last request, under request_mux: the core's config (which it keeps
// unchanged while the responder runs), or NULL for stopped.
static portMUX_TYPE request_mux = portMUX_INITIALIZER_UNLOCKED;
static const netman_mdns_config_t *wanted;
static uint32_t requested;
static esp_timer_handle_t deferred;             // carries out requests made inside a dispatch

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

static void request(const netman_mdns_config_t *config) {
    taskENTER_CRITICAL(&request_mux);
    wanted = config;
    requested++;
    taskEXIT_CRITICAL(&request_mux);
}

// Bring the responder to the last request (mutex held). The result is that
// of the last start carried out here.
static netman_err_t settle_locked(void) {
    netman_err_t result = NETMAN_OK;
    for (;;) {
        taskENTER_CRITICAL(&request_mux);
        const netman_mdns_config_t *config = wanted;
        uint32_t number = requested;
        taskEXIT_CRITICAL(&request_mux);
        if (number == applied) {
            return result;
        }
        applied = number;
        if (config == NULL) {
            stop_locked();
            result = NETMAN_OK;
        } else {
            result = start_locked(config);
        }
    }
}

// esp_timer task: requests made inside a dispatch.
static void on_deferred(void *arg) {
    (void)arg;
    xSemaphoreTake(mutex, portMAX_DELAY);
    netman_err_t result = settle_locked();
    xSemaphoreGive(mutex);
    if (result != NETMAN_OK) {
        // Nobody waits for this answer: say it on the console.
        ESP_LOGE("netman", "%s", netman_hal_last_error());
    }
}

// Carry out the request now if the rules allow it, else hand it over.
static netman_err_t perform(const netman_mdns_config_t *config) {
    request(config);
    if (!esp32_in_dispatch()) {
        xSemaphoreTake(mutex, portMAX_DELAY);
    } else if (xSemaphoreTake(mutex, 0) != pdTRUE) {
        esp_timer_start_once(deferred, 0); // already armed: it will see this request too
        return NETMAN_OK;
    }
    if (!esp32_rules_mdns_now(esp32_in_dispatch(), running || config == NULL)) {
        xSemaphoreGive(mutex);
        esp_timer_start_once(deferred, 0);
        return NETMAN_OK;
    }
    netman_err_t result = settle_locked();
    xSemaphoreGive(mutex);
    return result;
}

netman_err_t netman_hal_mdns_start(const netman_mdns_config_t *config, uint32_t address) {
    (void)address; // the responder answers with the station netif's own address
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    return perform(config);
}

void netman_hal_mdns_stop(void) {
    if (mutex == NULL) {
        return;
    }
    perform(NULL);
}

netman_err_t esp32_mdns_open(void) {
    if (mutex == NULL) {
        mutex = xSemaphoreCreateMutexStatic(&mutex_storage);
    }
    const esp_timer_create_args_t deferred_args = {
        .callback = on_deferred,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "netman_mdns_req",
    };
    esp_err_t failed = esp_timer_create(&deferred_args, &deferred);
    if (failed != ESP_OK) {
        return esp32_fail(NETMAN_ERR_NO_RADIO, "no radio: no mDNS timer", failed);
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
    // netman_hal_mdns_stop() ran just before, outside any dispatch: the
    // responder is stopped and a deferred request has nothing left to do.
    if (deferred != NULL) {
        esp_timer_stop(deferred);
        esp_timer_delete(deferred);
        deferred = NULL;
    }
    #if NETMAN_MDNS_HOSTNAME_GET
    if (watch != NULL) {
        esp_timer_stop(watch);
        esp_timer_delete(watch);
        watch = NULL;
    }
    #endif
}
