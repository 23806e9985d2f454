/*
 * The host build's SNTP client (RFC 4330): one UDP socket, serviced by the
 * I/O thread. Each attempt sends one request and waits up to a second for a
 * valid answer; then the next attempt comes after the sync interval (or
 * sooner, after a failure).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netman_hal.h"
#include "host_port.h"
#include "netman_ntp.h"

#define REPLY_TIMEOUT_MS (1000)
#define RETRY_MS (2000)

static pthread_mutex_t sntp_mutex = PTHREAD_MUTEX_INITIALIZER;
static bool sntp_active;
static char sntp_host[80];
static uint16_t sntp_port;
static uint32_t sntp_interval_ms;
static int sntp_fd = -1;
static bool sntp_connected;             // sntp_fd is connected to the server
static int64_t next_request_ms = -1;
static int64_t reply_deadline_ms = -1;
static uint64_t request_ntp_time;       // our transmit timestamp, echoed as "originate"

static uint64_t ntp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return netman_ntp_from_unix((uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static void post_failure(netman_reason_t reason) {
    netman_event_t event = { .kind = NETMAN_EV_SNTP_FAILED };
    event.u.reason = reason;
    netman_core_post(&event);
}

static void close_socket_locked(void) {
    if (sntp_fd >= 0) {
        close(sntp_fd);
        sntp_fd = -1;
    }
    sntp_connected = false;
}

netman_err_t netman_hal_sntp_start(const char *host, uint16_t port, uint32_t interval_ms) {
    pthread_mutex_lock(&sntp_mutex);
    snprintf(sntp_host, sizeof(sntp_host), "%s", host);
    sntp_port = port;
    sntp_interval_ms = interval_ms;
    close_socket_locked();
    // The socket is the client's one resource: without it there is no start.
    sntp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sntp_fd < 0) {
        snprintf(host_last_error, sizeof(host_last_error), "sntp: no socket: %s", strerror(errno));
        sntp_active = false;
        pthread_mutex_unlock(&sntp_mutex);
        return NETMAN_ERR_IO;
    }
    sntp_active = true;
    next_request_ms = host_monotonic_ms();
    reply_deadline_ms = -1;
    pthread_mutex_unlock(&sntp_mutex);
    host_wake_io_thread();
    return NETMAN_OK;
}

void netman_hal_sntp_stop(void) {
    pthread_mutex_lock(&sntp_mutex);
    sntp_active = false;
    close_socket_locked();
    next_request_ms = -1;
    reply_deadline_ms = -1;
    pthread_mutex_unlock(&sntp_mutex);
}

int host_sntp_fd(void) {
    pthread_mutex_lock(&sntp_mutex);
    int fd = sntp_fd;
    pthread_mutex_unlock(&sntp_mutex);
    return fd;
}

int64_t host_sntp_deadline(void) {
    pthread_mutex_lock(&sntp_mutex);
    int64_t deadline = reply_deadline_ms >= 0 ? reply_deadline_ms : next_request_ms;
    pthread_mutex_unlock(&sntp_mutex);
    return deadline;
}

// Open a socket connected to the server (so only its answers arrive) and
// send one request. Returns a failure reason, or NONE.
static netman_reason_t send_request_locked(void) {
    if (!sntp_connected) {
        struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
        struct addrinfo *found = NULL;
        char port[8];
        snprintf(port, sizeof(port), "%u", (unsigned)sntp_port);
        if (sntp_host[0] == '\0' || getaddrinfo(sntp_host, port, &hints, &found) != 0) {
            return NETMAN_REASON_NO_SERVER;
        }
        sntp_connected = connect(sntp_fd, found->ai_addr, found->ai_addrlen) == 0;
        freeaddrinfo(found);
        if (!sntp_connected) {
            return NETMAN_REASON_NO_SERVER;
        }
    }
    uint8_t packet[NETMAN_NTP_PACKET_LEN];
    request_ntp_time = ntp_now();
    netman_ntp_request(packet, request_ntp_time);
    if (send(sntp_fd, packet, sizeof(packet), 0) != (ssize_t)sizeof(packet)) {
        // An unreachable port shows as ECONNREFUSED on a connected socket.
        return NETMAN_REASON_TIMEOUT;
    }
    return NETMAN_REASON_NONE;
}

// Check an answer and turn it into the synchronized time. Returns NONE, or
// why there is no time: TIMEOUT (nobody answers there) or BAD_REPLY.
static netman_reason_t read_reply_locked(netman_event_t *sync) {
    uint8_t reply[NETMAN_NTP_PACKET_LEN + 16];
    ssize_t n = recv(sntp_fd, reply, sizeof(reply), 0);
    uint64_t received = ntp_now();
    if (n < 0) {
        return NETMAN_REASON_TIMEOUT; // e.g. ECONNREFUSED: no server on that port
    }
    return netman_ntp_reply(reply, (size_t)n, request_ntp_time, received, sync);
}

void host_sntp_service(int64_t now_ms, bool readable) {
    netman_event_t sync;
    memset(&sync, 0, sizeof(sync));
    netman_reason_t failure = NETMAN_REASON_NONE;
    pthread_mutex_lock(&sntp_mutex);
    if (!sntp_active) {
        pthread_mutex_unlock(&sntp_mutex);
        return;
    }
    uint32_t retry_ms = sntp_interval_ms < RETRY_MS ? sntp_interval_ms : RETRY_MS;
    if (readable && reply_deadline_ms >= 0) {
        failure = read_reply_locked(&sync);
        if (failure == NETMAN_REASON_NONE) {
            reply_deadline_ms = -1;
            next_request_ms = now_ms + sntp_interval_ms;
        }
    } else if (readable) {
        // A late or unasked-for datagram: drop it.
        uint8_t drop[64];
        ssize_t ignored = recv(sntp_fd, drop, sizeof(drop), 0);
        (void)ignored;
    }
    if (failure == NETMAN_REASON_NONE && reply_deadline_ms >= 0 && now_ms >= reply_deadline_ms) {
        failure = NETMAN_REASON_TIMEOUT;
    }
    if (failure != NETMAN_REASON_NONE) {
        reply_deadline_ms = -1;
        next_request_ms = now_ms + retry_ms;
    } else if (next_request_ms >= 0 && now_ms >= next_request_ms) {
        next_request_ms = -1;
        failure = send_request_locked();
        if (failure == NETMAN_REASON_NONE) {
            reply_deadline_ms = now_ms + REPLY_TIMEOUT_MS;
        } else {
            next_request_ms = now_ms + retry_ms;
        }
    }
    pthread_mutex_unlock(&sntp_mutex);
    // Posted outside our lock: the core may call back into this file.
    if (sync.kind == NETMAN_EV_SNTP_SYNC) {
        netman_core_post(&sync);
    }
    if (failure != NETMAN_REASON_NONE) {
        post_failure(failure);
    }
}
