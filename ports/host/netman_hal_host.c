/*
 * The host build's HAL: the "radio" is the air simulator, reached over the
 * Unix socket named by NETMAN_AIR. An I/O thread (the driver context of this
 * port) reads air frames and posts them to the core as events.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netman_hal.h"
#include "air_wire.h"

#define WELCOME_TIMEOUT_MS (2000)

static pthread_mutex_t core_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t send_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_t io_thread;
static int air_fd = -1;
static volatile bool closing;
static char last_error[256];

static netman_err_t fail(netman_err_t err, const char *fmt, const char *detail) {
    snprintf(last_error, sizeof(last_error), fmt, detail);
    return err;
}

const char *netman_hal_last_error(void) {
    return last_error;
}

void netman_hal_lock(void) {
    pthread_mutex_lock(&core_mutex);
}

void netman_hal_unlock(void) {
    pthread_mutex_unlock(&core_mutex);
}

static bool write_all(int fd, const uint8_t *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

// Read exactly len bytes; false on EOF or error (or timeout when timeout_ms >= 0).
static bool read_all(int fd, uint8_t *data, size_t len, int timeout_ms) {
    while (len > 0) {
        if (timeout_ms >= 0) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            if (poll(&pfd, 1, timeout_ms) <= 0) {
                return false;
            }
        }
        ssize_t n = recv(fd, data, len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

// Read one frame into body (capacity AIR_FRAME_MAX); returns its length or 0.
static size_t read_frame(int fd, uint8_t *body, int timeout_ms) {
    uint8_t prefix[4];
    if (!read_all(fd, prefix, 4, timeout_ms)) {
        return 0;
    }
    uint32_t len = (uint32_t)prefix[0] << 24 | (uint32_t)prefix[1] << 16 | (uint32_t)prefix[2] << 8 | prefix[3];
    if (len == 0 || len > AIR_FRAME_MAX || !read_all(fd, body, len, timeout_ms)) {
        return 0;
    }
    return len;
}

static netman_err_t send_frame(air_frame_t *frame) {
    if (!air_frame_finish(frame)) {
        return fail(NETMAN_ERR_IO, "%s", "request too large for an air frame");
    }
    pthread_mutex_lock(&send_mutex);
    int fd = air_fd;
    bool ok = fd >= 0 && write_all(fd, frame->data, frame->len);
    pthread_mutex_unlock(&send_mutex);
    if (fd < 0) {
        return fail(NETMAN_ERR_STATE, "%s", "the radio is not running");
    }
    return ok ? NETMAN_OK : fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator closed the link");
}

// Translate one air frame into a core event; malformed frames are ignored.
static void handle_frame(const uint8_t *body, size_t len) {
    air_reader_t reader;
    air_reader_init(&reader, body + 1, len - 1);
    netman_event_t event;
    memset(&event, 0, sizeof(event));
    switch (body[0]) {
        case AIR_MSG_STA_CONNECTED: {
            uint8_t ssid[NETMAN_SSID_MAX];
            event.kind = NETMAN_EV_STA_CONNECTED;
            air_get_bytes(&reader, event.u.assoc.bssid, NETMAN_MAC_LEN);
            event.u.assoc.channel = air_get_u8(&reader);
            event.u.assoc.authmode = air_get_u8(&reader);
            air_get_str(&reader, ssid, sizeof(ssid));
            break;
        }
        case AIR_MSG_STA_GOT_IP:
            event.kind = NETMAN_EV_STA_GOT_IP;
            event.u.ip.address = air_get_ipv4(&reader);
            event.u.ip.netmask = air_get_ipv4(&reader);
            event.u.ip.gateway = air_get_ipv4(&reader);
            break;
        case AIR_MSG_STA_DISCONNECTED:
            event.kind = NETMAN_EV_STA_DISCONNECTED;
            event.u.reason = air_get_u8(&reader);
            break;
        case AIR_MSG_STA_BEACON_TIMEOUT:
            event.kind = NETMAN_EV_STA_BEACON_TIMEOUT;
            break;
        default:
            return;
    }
    if (air_reader_done(&reader)) {
        netman_core_post(&event);
    }
}

static void *io_thread_main(void *arg) {
    (void)arg;
    static uint8_t body[AIR_FRAME_MAX];
    size_t len;
    while ((len = read_frame(air_fd, body, -1)) > 0) {
        handle_frame(body, len);
    }
    // EOF or error: the air is gone. After shutdown() by netman_hal_close()
    // nothing more is posted.
    if (!closing) {
        netman_event_t lost = { .kind = NETMAN_EV_RADIO_LOST };
        netman_core_post(&lost);
    }
    return NULL;
}

static bool parse_mac(const char *text, uint8_t mac[NETMAN_MAC_LEN]) {
    unsigned int b[NETMAN_MAC_LEN];
    char tail;
    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
        return false;
    }
    for (int i = 0; i < NETMAN_MAC_LEN; i++) {
        mac[i] = (uint8_t)b[i];
    }
    return true;
}

static netman_err_t say_hello(int fd, uint8_t mac[NETMAN_MAC_LEN]) {
    uint8_t wanted[NETMAN_MAC_LEN] = {0};
    const char *mac_env = getenv("NETMAN_MAC");
    if (mac_env != NULL && *mac_env != '\0' && !parse_mac(mac_env, wanted)) {
        return fail(NETMAN_ERR_NO_RADIO, "NETMAN_MAC '%.40s' is not a MAC address like aa:bb:cc:dd:ee:ff", mac_env);
    }
    char name[32];
    const char *name_env = getenv("NETMAN_NAME");
    snprintf(name, sizeof(name), "%s", name_env != NULL ? name_env : "");

    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_HELLO);
    air_frame_put_u8(&frame, AIR_PROTOCOL_VERSION);
    air_frame_put_bytes(&frame, wanted, NETMAN_MAC_LEN);
    air_frame_put_str(&frame, name, strlen(name));
    air_frame_finish(&frame);
    if (!write_all(fd, frame.data, frame.len)) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator closed the link during the handshake");
    }

    uint8_t body[AIR_FRAME_MAX];
    size_t len = read_frame(fd, body, WELCOME_TIMEOUT_MS);
    if (len == 0) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator did not answer the handshake");
    }
    air_reader_t reader;
    air_reader_init(&reader, body + 1, len - 1);
    if (body[0] == AIR_MSG_ERROR) {
        char text[96];
        air_get_u8(&reader);
        size_t text_len = air_get_str(&reader, text, sizeof(text) - 1);
        text[text_len] = '\0';
        return fail(NETMAN_ERR_NO_RADIO, "the air simulator refused the device: %s", text);
    }
    uint8_t version = air_get_u8(&reader);
    air_get_bytes(&reader, mac, NETMAN_MAC_LEN);
    if (body[0] != AIR_MSG_WELCOME || !air_reader_done(&reader) || version != AIR_PROTOCOL_VERSION) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator answered the handshake with a bad frame");
    }
    return NETMAN_OK;
}

netman_err_t netman_hal_open(uint8_t mac[NETMAN_MAC_LEN]) {
    const char *path = getenv("NETMAN_AIR");
    if (path == NULL || *path == '\0') {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "no radio: NETMAN_AIR is not set (the air simulator's socket path)");
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path)) {
        return fail(NETMAN_ERR_NO_RADIO, "no radio: NETMAN_AIR path is too long: %.60s", path);
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(NETMAN_ERR_NO_RADIO, "no radio: %s", strerror(errno));
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = errno;
        close(fd);
        snprintf(last_error, sizeof(last_error), "no radio: cannot reach the air at %s: %s", path, strerror(err));
        return NETMAN_ERR_NO_RADIO;
    }
    netman_err_t err = say_hello(fd, mac);
    if (err != NETMAN_OK) {
        close(fd);
        return err;
    }
    air_fd = fd;
    closing = false;

    // Signals belong to the MicroPython thread, not to the I/O thread.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = pthread_create(&io_thread, NULL, io_thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        air_fd = -1;
        close(fd);
        return fail(NETMAN_ERR_NO_RADIO, "no radio: cannot start the I/O thread: %s", strerror(rc));
    }
    return NETMAN_OK;
}

void netman_hal_close(void) {
    if (air_fd < 0) {
        return;
    }
    closing = true;
    shutdown(air_fd, SHUT_RDWR);
    pthread_join(io_thread, NULL);
    pthread_mutex_lock(&send_mutex);
    close(air_fd);
    air_fd = -1;
    pthread_mutex_unlock(&send_mutex);
}

netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_STA_CONNECT);
    air_frame_put_str(&frame, params->ssid, params->ssid_len);
    air_frame_put_str(&frame, params->psk, params->psk_len);
    air_frame_put_str(&frame, params->hostname, strlen(params->hostname));
    netman_err_t err = send_frame(&frame);
    memset(&frame, 0, sizeof(frame));
    return err;
}

netman_err_t netman_hal_sta_disconnect(void) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_STA_DISCONNECT);
    return send_frame(&frame);
}
