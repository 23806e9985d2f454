/*
 * The host build's HAL: the "radio" is the air simulator, reached over the
 * Unix socket named by NETMAN_AIR. An I/O thread (the driver context of this
 * port) reads air frames and posts them to the core as events.
 */
#define _GNU_SOURCE // pipe2()
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netman_hal.h"
#include "air_wire.h"
#include "host_port.h"

// Every wait on the air is bounded: the handshake, a frame we send, and a
// frame the air has begun to send us. An air that takes longer is dead (no_radio).
#define AIR_TIMEOUT_MS (2000)

static pthread_mutex_t core_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t send_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_t io_thread;
static bool io_thread_running;  // MicroPython thread only
static int air_fd = -1;
char host_last_error[256];

// Guarded by port_mutex: whether the radio is closing, and the driver's own
// view kept by the I/O thread (the one-shot timer's deadline, the associated
// AP's signal strength).
static pthread_mutex_t port_mutex = PTHREAD_MUTEX_INITIALIZER;
static bool closing;
static int64_t timer_deadline_ms = -1;
static bool rssi_known;
static int8_t rssi_dbm;
// Scans given up on whose end the air has not confirmed (SCAN_ABORTED): until
// then, what the air says of scans belongs to them.
static unsigned scan_aborts_pending;
// The air plays a driver that refuses this many join requests (DRIVER_BUSY).
static unsigned joins_to_refuse;
// Wakes the I/O thread's poll() when the timer changes or on close.
static int wake_pipe[2] = { -1, -1 };

int64_t host_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void host_wake_io_thread(void) {
    if (wake_pipe[1] >= 0) {
        ssize_t n = write(wake_pipe[1], "w", 1);
        (void)n; // a full pipe already means "wake up"
    }
}

static bool is_closing(void) {
    pthread_mutex_lock(&port_mutex);
    bool value = closing;
    pthread_mutex_unlock(&port_mutex);
    return value;
}

static void set_closing(bool value) {
    pthread_mutex_lock(&port_mutex);
    closing = value;
    pthread_mutex_unlock(&port_mutex);
}

static void set_rssi(bool known, int8_t dbm) {
    pthread_mutex_lock(&port_mutex);
    rssi_known = known;
    rssi_dbm = dbm;
    pthread_mutex_unlock(&port_mutex);
}

// What a radio can say. A station, AP or sender has a MAC that is neither
// zero nor the broadcast address (configured MACs may carry the group bit:
// the examples' bb:bb:bb:bb:bb:bb); an address a DHCP server hands out is
// one host of a network (not 0.0.0.0, broadcast or multicast, a contiguous
// netmask).
static const uint8_t broadcast_mac[NETMAN_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static bool mac_is_station(const uint8_t mac[NETMAN_MAC_LEN]) {
    static const uint8_t zero[NETMAN_MAC_LEN];
    return memcmp(mac, zero, NETMAN_MAC_LEN) != 0 && memcmp(mac, broadcast_mac, NETMAN_MAC_LEN) != 0;
}

static bool ip_is_usable(const netman_ip_t *ip) {
    uint32_t inverted = ~ip->netmask;
    bool contiguous = ip->netmask != 0 && (inverted & (inverted + 1)) == 0;
    uint32_t host = ip->address & inverted;
    bool has_hosts = inverted > 1; // a /31 or /32 has no network or broadcast address
    return contiguous && ip->address != 0 && (ip->address >> 28) < 0xe
           && (!has_hosts || (host != 0 && host != inverted));
}

static netman_err_t fail(netman_err_t err, const char *fmt, const char *detail) {
    snprintf(host_last_error, sizeof(host_last_error), fmt, detail);
    return err;
}

const char *netman_hal_last_error(void) {
    return host_last_error;
}

void netman_hal_lock(void) {
    pthread_mutex_lock(&core_mutex);
}

void netman_hal_unlock(void) {
    pthread_mutex_unlock(&core_mutex);
}

// Wait until fd is ready for `events` or the deadline passes; false on timeout.
static bool wait_ready(int fd, short events, int64_t deadline_ms) {
    for (;;) {
        int64_t left = deadline_ms - host_monotonic_ms();
        if (left <= 0) {
            return false;
        }
        struct pollfd pfd = { .fd = fd, .events = events };
        int n = poll(&pfd, 1, (int)left);
        if (n > 0) {
            return true;
        }
        if (n < 0 && errno != EINTR) {
            return false;
        }
    }
}

typedef enum {
    IO_DONE,
    IO_CLOSED,                  // EOF or an error: the link is gone
    IO_TIMEOUT,                 // the air did not take (or give) the bytes in time
} io_result_t;

static io_result_t write_all(int fd, const uint8_t *data, size_t len) {
    int64_t deadline = host_monotonic_ms() + AIR_TIMEOUT_MS;
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_ready(fd, POLLOUT, deadline)) {
                return IO_TIMEOUT;
            }
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return IO_CLOSED;
        }
    }
    return IO_DONE;
}

// Read exactly len bytes before the deadline (the handshake).
static io_result_t read_all(int fd, uint8_t *data, size_t len, int64_t deadline_ms) {
    while (len > 0) {
        if (!wait_ready(fd, POLLIN, deadline_ms)) {
            return IO_TIMEOUT;
        }
        ssize_t n = recv(fd, data, len, MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
            return IO_CLOSED;
        }
    }
    return IO_DONE;
}

static uint32_t frame_length(const uint8_t prefix[4]) {
    return (uint32_t)prefix[0] << 24 | (uint32_t)prefix[1] << 16 | (uint32_t)prefix[2] << 8 | prefix[3];
}

// Read one frame into body (capacity AIR_FRAME_MAX) within the handshake's
// time; returns its length or 0.
static size_t read_frame(int fd, uint8_t *body, int64_t deadline_ms) {
    uint8_t prefix[4];
    if (read_all(fd, prefix, 4, deadline_ms) != IO_DONE) {
        return 0;
    }
    uint32_t len = frame_length(prefix);
    if (len == 0 || len > AIR_FRAME_MAX || read_all(fd, body, len, deadline_ms) != IO_DONE) {
        return 0;
    }
    return len;
}

netman_err_t host_send_frame(air_frame_t *frame) {
    if (!air_frame_finish(frame)) {
        return fail(NETMAN_ERR_IO, "%s", "request too large for an air frame");
    }
    pthread_mutex_lock(&send_mutex);
    int fd = air_fd;
    io_result_t result = fd >= 0 ? write_all(fd, frame->data, frame->len) : IO_CLOSED;
    if (result == IO_TIMEOUT) {
        // An air that stops reading is dead: hang up, so that the I/O thread
        // reports the lost radio and later sends fail at once.
        shutdown(fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&send_mutex);
    if (fd < 0) {
        return fail(NETMAN_ERR_STATE, "%s", "the radio is not running");
    }
    switch (result) {
        case IO_DONE:
            return NETMAN_OK;
        case IO_TIMEOUT:
            return fail(NETMAN_ERR_NO_RADIO, "%s", "no radio: the air simulator stopped reading");
        default:
            return fail(NETMAN_ERR_NO_RADIO, "%s", "no radio: the air simulator closed the link");
    }
}

static bool scans_aborted(void) {
    pthread_mutex_lock(&port_mutex);
    bool aborted = scan_aborts_pending > 0;
    pthread_mutex_unlock(&port_mutex);
    return aborted;
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
            event.u.assoc.rssi = (int8_t)air_get_u8(&reader);
            air_get_str(&reader, ssid, sizeof(ssid));
            if (!mac_is_station(event.u.assoc.bssid)) {
                return;
            }
            break;
        }
        case AIR_MSG_STA_GOT_IP:
            event.kind = NETMAN_EV_STA_GOT_IP;
            event.u.ip.address = air_get_ipv4(&reader);
            event.u.ip.netmask = air_get_ipv4(&reader);
            event.u.ip.gateway = air_get_ipv4(&reader);
            event.u.ip.dns = air_get_ipv4(&reader);
            if (!ip_is_usable(&event.u.ip)) {
                return;
            }
            break;
        case AIR_MSG_STA_DISCONNECTED:
            event.kind = NETMAN_EV_STA_DISCONNECTED;
            event.u.reason = air_get_u8(&reader);
            break;
        case AIR_MSG_STA_BEACON_TIMEOUT:
            event.kind = NETMAN_EV_STA_BEACON_TIMEOUT;
            break;
        case AIR_MSG_SCAN_ABORTED:
            if (air_reader_done(&reader)) {
                pthread_mutex_lock(&port_mutex);
                scan_aborts_pending -= scan_aborts_pending > 0;
                pthread_mutex_unlock(&port_mutex);
            }
            return;
        case AIR_MSG_DRIVER_BUSY: {
            uint8_t joins = air_get_u8(&reader);
            if (air_reader_done(&reader)) {
                pthread_mutex_lock(&port_mutex);
                joins_to_refuse = joins;
                pthread_mutex_unlock(&port_mutex);
            }
            return;
        }
        case AIR_MSG_SCAN_RESULT: {
            if (scans_aborted()) {
                return;
            }
            netman_scan_result_t result;
            memset(&result, 0, sizeof(result));
            air_get_bytes(&reader, result.bssid, NETMAN_MAC_LEN);
            result.channel = air_get_u8(&reader);
            result.authmode = air_get_u8(&reader);
            result.rssi = (int8_t)air_get_u8(&reader);
            result.hidden = air_get_u8(&reader) != 0;
            result.ssid_len = air_get_str(&reader, result.ssid, sizeof(result.ssid));
            if (air_reader_done(&reader)) {
                netman_core_scan_result(&result);
            }
            return;
        }
        case AIR_MSG_SCAN_DONE:
            if (scans_aborted()) {
                return;
            }
            event.kind = NETMAN_EV_SCAN_DONE;
            event.u.scan_status = air_get_u8(&reader);
            break;
        case AIR_MSG_STA_CHANNEL:
            event.kind = NETMAN_EV_STA_CHANNEL;
            event.u.channel = air_get_u8(&reader);
            break;
        case AIR_MSG_AP_STARTED:
            event.kind = NETMAN_EV_AP_STARTED;
            event.u.ap.address = air_get_ipv4(&reader);
            event.u.ap.netmask = air_get_ipv4(&reader);
            event.u.ap.channel = air_get_u8(&reader);
            break;
        case AIR_MSG_AP_FAILED:
            event.kind = NETMAN_EV_AP_FAILED;
            event.u.reason = air_get_u8(&reader);
            break;
        case AIR_MSG_AP_CHANNEL:
            event.kind = NETMAN_EV_AP_CHANNEL;
            event.u.channel = air_get_u8(&reader);
            break;
        case AIR_MSG_AP_STA_CONNECTED:
            event.kind = NETMAN_EV_AP_STA_CONNECTED;
            air_get_bytes(&reader, event.u.station.mac, NETMAN_MAC_LEN);
            event.u.station.rssi = (int8_t)air_get_u8(&reader);
            break;
        case AIR_MSG_AP_STA_DISCONNECTED:
            event.kind = NETMAN_EV_AP_STA_DISCONNECTED;
            air_get_bytes(&reader, event.u.station.mac, NETMAN_MAC_LEN);
            break;
        case AIR_MSG_AP_STA_IP_ASSIGNED:
            event.kind = NETMAN_EV_AP_STA_IP_ASSIGNED;
            air_get_bytes(&reader, event.u.station.mac, NETMAN_MAC_LEN);
            event.u.station.address = air_get_ipv4(&reader);
            if (event.u.station.address == 0) {
                return;
            }
            break;
        case AIR_MSG_MDNS_NAME:
            event.kind = NETMAN_EV_MDNS_NAME;
            event.u.mdns_suffix = (uint16_t)(air_get_u8(&reader) << 8);
            event.u.mdns_suffix |= air_get_u8(&reader);
            if (air_reader_done(&reader)) {
                host_mdns_set_suffix(event.u.mdns_suffix);
            }
            break;
        case AIR_MSG_ESPNOW_RX: {
            // Straight into the core's ring: no event, no allocation.
            uint8_t mac[NETMAN_MAC_LEN], key_id[NETMAN_ESPNOW_KEY_ID_LEN], data[NETMAN_ESPNOW_MAX_DATA];
            air_get_bytes(&reader, mac, NETMAN_MAC_LEN);
            int8_t rssi = (int8_t)air_get_u8(&reader);
            bool encrypted = air_get_u8(&reader) != 0;
            air_get_bytes(&reader, key_id, sizeof(key_id));
            size_t len = air_get_str(&reader, data, sizeof(data));
            if (air_reader_done(&reader) && mac_is_station(mac)) {
                netman_core_espnow_rx(mac, rssi, data, len, encrypted ? key_id : NULL);
            }
            return;
        }
        case AIR_MSG_RADIO_CHANNEL:
            event.kind = NETMAN_EV_RADIO_CHANNEL;
            event.u.channel = air_get_u8(&reader);
            break;
        case AIR_MSG_SNIFF_RX:
            host_sniffer_rx(&reader);
            return;
        case AIR_MSG_ESPNOW_SENT:
            event.kind = NETMAN_EV_ESPNOW_SENT;
            event.u.sent.acked = air_get_u8(&reader) != 0;
            break;
        case AIR_MSG_STA_RSSI: {
            int8_t dbm = (int8_t)air_get_u8(&reader);
            if (air_reader_done(&reader)) {
                set_rssi(true, dbm);
            }
            return;
        }
        default:
            return;
    }
    bool station_event = event.kind == NETMAN_EV_AP_STA_CONNECTED || event.kind == NETMAN_EV_AP_STA_DISCONNECTED
        || event.kind == NETMAN_EV_AP_STA_IP_ASSIGNED;
    if (!air_reader_done(&reader) || (station_event && !mac_is_station(event.u.station.mac))) {
        return;
    }
    if (event.kind == NETMAN_EV_STA_CONNECTED) {
        set_rssi(true, event.u.assoc.rssi);
    } else if (event.kind == NETMAN_EV_STA_DISCONNECTED) {
        set_rssi(false, 0);
    }
    netman_core_post(&event);
}

// Fire the timer if its deadline passed; returns the poll() timeout until it.
static int run_timer(void) {
    bool fire = false;
    int timeout = -1;
    pthread_mutex_lock(&port_mutex);
    if (timer_deadline_ms >= 0) {
        int64_t left = timer_deadline_ms - host_monotonic_ms();
        if (left <= 0) {
            timer_deadline_ms = -1;
            fire = true;
        } else {
            timeout = left > 60000 ? 60000 : (int)left;
        }
    }
    pthread_mutex_unlock(&port_mutex);
    if (fire) {
        netman_event_t tick = { .kind = NETMAN_EV_TIMER };
        netman_core_post(&tick);
        return 0; // look again: the post may have armed a new deadline
    }
    return timeout;
}

// The frame the I/O thread is reading: it takes what the socket has and
// never waits for the rest, so a half-sent frame parks neither the timer
// nor SNTP. Owned by the I/O thread.
static struct {
    uint8_t data[4 + AIR_FRAME_MAX];
    size_t have;                // bytes so far, the length prefix included
    int64_t started_ms;         // when the first of them came
} rx;

// Take what the air sent; a frame is complete when the result is its body
// length, 0 while it is partial, -1 when the link is gone or the frame is bad.
static int receive_some(int fd) {
    size_t need = 4;
    if (rx.have >= 4) {
        uint32_t len = frame_length(rx.data);
        if (len == 0 || len > AIR_FRAME_MAX) {
            return -1;
        }
        need = 4 + len;
    }
    ssize_t n = recv(fd, rx.data + rx.have, need - rx.have, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        return -1;
    }
    if (n > 0) {
        if (rx.have == 0) {
            rx.started_ms = host_monotonic_ms();
        }
        rx.have += (size_t)n;
    }
    if (rx.have == need && need > 4) {
        rx.have = 0;
        return (int)(need - 4);
    }
    return 0;
}

static int earlier(int timeout, int64_t deadline_ms) {
    if (deadline_ms < 0) {
        return timeout;
    }
    int64_t left = deadline_ms - host_monotonic_ms();
    int until = left < 0 ? 0 : (left > 60000 ? 60000 : (int)left);
    return timeout < 0 || until < timeout ? until : timeout;
}

static void *io_thread_main(void *arg) {
    (void)arg;
    rx.have = 0;
    while (!is_closing()) {
        struct pollfd fds[4] = {
            { .fd = air_fd, .events = POLLIN },
            { .fd = wake_pipe[0], .events = POLLIN },
            { .fd = host_sntp_fd(), .events = POLLIN }, // ignored by poll() when -1
            { .fd = host_mdns_fd(), .events = POLLIN },
        };
        int timeout = earlier(run_timer(), host_sntp_deadline());
        if (rx.have > 0) {
            int64_t frame_deadline = rx.started_ms + AIR_TIMEOUT_MS;
            if (host_monotonic_ms() >= frame_deadline) {
                break; // the air stopped mid-frame: it is dead
            }
            timeout = earlier(timeout, frame_deadline);
        }
        int ready = timeout == 0 ? 0 : poll(fds, 4, timeout);
        host_sntp_service(host_monotonic_ms(), ready > 0 && (fds[2].revents & (POLLIN | POLLERR)));
        if (ready <= 0) {
            continue;
        }
        if (fds[3].revents & POLLIN) {
            host_mdns_service();
        }
        if (fds[1].revents & POLLIN) {
            char drain[64];
            while (read(wake_pipe[0], drain, sizeof(drain)) > 0) {
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int len = receive_some(air_fd);
            if (len < 0) {
                break;
            }
            if (len > 0) {
                handle_frame(rx.data + 4, (size_t)len);
            }
        }
    }
    // EOF, a bad frame or a dead air: the radio is gone (and sends fail from
    // now on). After netman_hal_close() nothing more is posted.
    set_rssi(false, 0);
    if (!is_closing()) {
        shutdown(air_fd, SHUT_RDWR);
        netman_event_t lost = { .kind = NETMAN_EV_RADIO_LOST };
        netman_core_post(&lost);
    }
    return NULL;
}

static void close_wake_pipe(void) {
    for (int i = 0; i < 2; i++) {
        if (wake_pipe[i] >= 0) {
            close(wake_pipe[i]);
            wake_pipe[i] = -1;
        }
    }
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

// The MAC the air gave this process the first time: a radio's MAC does not
// change when it is switched off and on, so every later open asks for it again.
static uint8_t assigned_mac[NETMAN_MAC_LEN];

static netman_err_t say_hello(int fd, uint8_t mac[NETMAN_MAC_LEN], uint8_t *channel) {
    uint8_t wanted[NETMAN_MAC_LEN];
    memcpy(wanted, assigned_mac, NETMAN_MAC_LEN);
    const char *mac_env = getenv("NETMAN_MAC");
    if (mac_env != NULL && *mac_env != '\0'
        && (!parse_mac(mac_env, wanted) || memcmp(wanted, broadcast_mac, NETMAN_MAC_LEN) == 0)) {
        return fail(NETMAN_ERR_NO_RADIO, "NETMAN_MAC '%.40s' is not a device MAC like 02:bb:cc:dd:ee:ff", mac_env);
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
    if (write_all(fd, frame.data, frame.len) != IO_DONE) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator did not take the handshake");
    }

    uint8_t body[AIR_FRAME_MAX];
    size_t len = read_frame(fd, body, host_monotonic_ms() + AIR_TIMEOUT_MS);
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
    // The MAC asked for, or one the air assigned: a unicast one.
    bool asked = mac_is_station(wanted);
    if (asked ? memcmp(mac, wanted, NETMAN_MAC_LEN) != 0 : (!mac_is_station(mac) || (mac[0] & 1))) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator gave the device a MAC it cannot have "
            "(not the one asked for, zero or a group address)");
    }
    // Right behind WELCOME: where the radio idles.
    len = read_frame(fd, body, host_monotonic_ms() + AIR_TIMEOUT_MS);
    air_reader_init(&reader, body + 1, len > 0 ? len - 1 : 0);
    *channel = air_get_u8(&reader);
    if (len == 0 || body[0] != AIR_MSG_RADIO_CHANNEL || !air_reader_done(&reader) || *channel < 1 || *channel > 14) {
        return fail(NETMAN_ERR_NO_RADIO, "%s", "the air simulator did not say which channel the radio is on");
    }
    memcpy(assigned_mac, mac, NETMAN_MAC_LEN);
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
    // An air whose listen queue is full makes connect() wait; on a Unix
    // socket that wait ends after the send timeout (Linux net/unix/af_unix.c,
    // unix_stream_connect: sock_sndtimeo).
    struct timeval patience = { .tv_sec = AIR_TIMEOUT_MS / 1000, .tv_usec = AIR_TIMEOUT_MS % 1000 * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof(patience));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = errno;
        close(fd);
        snprintf(host_last_error, sizeof(host_last_error), "no radio: cannot reach the air at %s: %s", path,
            err == EAGAIN ? "it accepts no more connections" : strerror(err));
        return NETMAN_ERR_NO_RADIO;
    }
    uint8_t channel;
    netman_err_t err = say_hello(fd, mac, &channel);
    if (err != NETMAN_OK) {
        close(fd);
        return err;
    }
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        close(fd);
        return fail(NETMAN_ERR_NO_RADIO, "no radio: cannot make the wake pipe: %s", strerror(errno));
    }
    air_fd = fd;
    set_closing(false);
    pthread_mutex_lock(&port_mutex);
    timer_deadline_ms = -1;
    pthread_mutex_unlock(&port_mutex);
    host_radio_reset();
    scan_aborts_pending = 0;
    joins_to_refuse = 0;

    // Signals belong to the MicroPython thread, not to the I/O thread.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = pthread_create(&io_thread, NULL, io_thread_main, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        air_fd = -1;
        close(fd);
        close_wake_pipe();
        return fail(NETMAN_ERR_NO_RADIO, "no radio: cannot start the I/O thread: %s", strerror(rc));
    }
    io_thread_running = true;
    netman_event_t idle = { .kind = NETMAN_EV_RADIO_CHANNEL };
    idle.u.channel = channel;
    netman_core_post(&idle);
    return NETMAN_OK;
}

// Stop the I/O thread and let go of the air; `goodbye` says BYE first (a
// clean stop, unlike a crash: our AP sends its stations away).
static void close_link(bool goodbye) {
    if (!io_thread_running) {
        return;
    }
    netman_hal_mdns_stop();
    // Closing before the goodbye: the air may hang up at once on it, and the
    // I/O thread must not take that for a lost radio.
    set_closing(true);
    if (goodbye) {
        air_frame_t bye;
        air_frame_begin(&bye, AIR_MSG_BYE);
        host_send_frame(&bye);
    }
    shutdown(air_fd, SHUT_RDWR);
    host_wake_io_thread();
    pthread_join(io_thread, NULL);
    io_thread_running = false;
    pthread_mutex_lock(&send_mutex);
    close(air_fd);
    air_fd = -1;
    pthread_mutex_unlock(&send_mutex);
    close_wake_pipe();
    netman_hal_sntp_stop();
}

void netman_hal_close(void) {
    close_link(true);
}

// The interpreter ends (MICROPY_PORT_DEINIT_FUNC, boards/host): an
// application that did not stop() leaves the air as a crashed device would,
// but the I/O thread is joined before the heap it writes to (the ESP-NOW
// ring) is freed.
void netman_host_deinit(void) {
    close_link(false);
}

netman_err_t netman_hal_sta_rssi(int8_t *rssi) {
    pthread_mutex_lock(&port_mutex);
    bool known = rssi_known;
    *rssi = rssi_dbm;
    pthread_mutex_unlock(&port_mutex);
    return known ? NETMAN_OK : NETMAN_ERR_STATE;
}

void netman_hal_timer_arm(uint32_t ms) {
    pthread_mutex_lock(&port_mutex);
    timer_deadline_ms = host_monotonic_ms() + ms;
    pthread_mutex_unlock(&port_mutex);
    host_wake_io_thread();
}

void netman_hal_timer_cancel(void) {
    pthread_mutex_lock(&port_mutex);
    timer_deadline_ms = -1;
    pthread_mutex_unlock(&port_mutex);
    host_wake_io_thread();
}

netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params) {
    pthread_mutex_lock(&port_mutex);
    bool refuse = joins_to_refuse > 0;
    joins_to_refuse -= refuse;
    pthread_mutex_unlock(&port_mutex);
    if (refuse) {
        return fail(NETMAN_ERR_BUSY, "%s", "the radio refused the join: it is busy");
    }
    if (params->eap != NULL) {
        netman_err_t err = host_eap_send(params->eap);
        if (err != NETMAN_OK) {
            return err;
        }
    }
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_STA_CONNECT);
    air_frame_put_str(&frame, params->ssid, params->ssid_len);
    air_frame_put_str(&frame, params->psk, params->psk_len);
    air_frame_put_str(&frame, params->hostname, strlen(params->hostname));
    air_frame_put_u8(&frame, params->static_ip);
    air_frame_put_ipv4(&frame, params->ip.address);
    air_frame_put_ipv4(&frame, params->ip.netmask);
    air_frame_put_ipv4(&frame, params->ip.gateway);
    air_frame_put_ipv4(&frame, params->ip.dns);
    air_frame_put_u8(&frame, params->bssid_set);
    air_frame_put_bytes(&frame, params->bssid, NETMAN_MAC_LEN);
    netman_err_t err = host_send_frame(&frame);
    memset(&frame, 0, sizeof(frame));
    return err;
}

netman_err_t netman_hal_ap_start(const netman_ap_params_t *params) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_AP_START);
    air_frame_put_str(&frame, params->ssid, params->ssid_len);
    air_frame_put_str(&frame, params->psk, params->psk_len);
    air_frame_put_u8(&frame, params->channel);
    air_frame_put_u8(&frame, params->hidden);
    air_frame_put_u8(&frame, params->max_connections);
    netman_err_t err = host_send_frame(&frame);
    memset(&frame, 0, sizeof(frame));
    return err;
}

netman_err_t netman_hal_ap_stop(void) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_AP_STOP);
    return host_send_frame(&frame);
}

// The air gives our AP a BSSID of its own: the device MAC with bit 2 of the
// first byte flipped (docs/netsim-protocol.md, AP_START).
netman_err_t netman_hal_ap_mac(uint8_t mac[NETMAN_MAC_LEN]) {
    memcpy(mac, assigned_mac, NETMAN_MAC_LEN);
    mac[0] ^= 0x04;
    return NETMAN_OK;
}

// The air answers with RADIO_CHANNEL (and AP_CHANNEL when our AP moved).
netman_err_t netman_hal_set_channel(uint8_t channel) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_SET_CHANNEL);
    air_frame_put_u8(&frame, channel);
    return host_send_frame(&frame);
}

netman_err_t netman_hal_espnow_active(bool active) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_ESPNOW_ACTIVE);
    air_frame_put_u8(&frame, active);
    return host_send_frame(&frame);
}

netman_err_t netman_hal_espnow_send(const uint8_t mac[NETMAN_MAC_LEN], const uint8_t *data, size_t len,
    const uint8_t *key_id) {
    static const uint8_t no_key[NETMAN_ESPNOW_KEY_ID_LEN];
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_ESPNOW_SEND);
    air_frame_put_bytes(&frame, mac, NETMAN_MAC_LEN);
    air_frame_put_u8(&frame, key_id != NULL);
    air_frame_put_bytes(&frame, key_id != NULL ? key_id : no_key, NETMAN_ESPNOW_KEY_ID_LEN);
    air_frame_put_str(&frame, data, len);
    return host_send_frame(&frame);
}

// The air carries key ids with each frame (see netman_hal_espnow_send), so
// the keys themselves stay in the core.
netman_err_t netman_hal_espnow_set_pmk(const uint8_t pmk[NETMAN_ESPNOW_KEY_LEN]) {
    (void)pmk;
    return NETMAN_OK;
}

netman_err_t netman_hal_espnow_peer_set(const netman_espnow_peer_t *peer, bool add) {
    (void)peer;
    (void)add;
    return NETMAN_OK;
}

netman_err_t netman_hal_espnow_peer_del(const uint8_t mac[NETMAN_MAC_LEN]) {
    (void)mac;
    return NETMAN_OK;
}

// The air has no PHY rates: every frame arrives, whatever its rate.
netman_err_t netman_hal_espnow_rate(uint8_t rate) {
    (void)rate;
    return NETMAN_OK;
}

// The host build's network module opens netman for its radio.
bool netman_hal_radio_started(void) {
    return false;
}

netman_err_t netman_hal_scan_start(const netman_scan_params_t *params) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_SCAN);
    air_frame_put_u8(&frame, params->passive);
    air_frame_put_u8(&frame, params->show_hidden);
    air_frame_put_u8(&frame, params->dwell_ms >> 8);
    air_frame_put_u8(&frame, params->dwell_ms & 0xff);
    air_frame_put_u8(&frame, params->channel);
    air_frame_put_str(&frame, params->ssid, params->ssid_len);
    air_frame_put_u8(&frame, params->match_bssid);
    air_frame_put_bytes(&frame, params->bssid, NETMAN_MAC_LEN);
    return host_send_frame(&frame);
}

void netman_hal_scan_abort(void) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_SCAN_ABORT);
    pthread_mutex_lock(&port_mutex);
    scan_aborts_pending++;
    pthread_mutex_unlock(&port_mutex);
    if (host_send_frame(&frame) != NETMAN_OK) {
        pthread_mutex_lock(&port_mutex);
        scan_aborts_pending--;
        pthread_mutex_unlock(&port_mutex);
    }
}

netman_err_t netman_hal_sta_disconnect(void) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_STA_DISCONNECT);
    return host_send_frame(&frame);
}
