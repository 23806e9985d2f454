/*
 * The host build's mDNS responder (RFC 6762/6763, the part a device needs):
 * it answers one-shot queries sent to port 5353 of the device's own loopback
 * address, for <name>.local (A), the service list, each service's instances
 * (PTR) and each instance (SRV, TXT). Probing and announcing go through the
 * air, which plays the multicast medium: it settles name conflicts
 * ("<name>-2") and records announcements. Serviced by the I/O thread.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netman_hal.h"
#include "air_wire.h"
#include "host_port.h"

#define MDNS_PORT (5353)
#define DNS_MAX (1500)
#define NAME_MAX_TEXT (256)
#define TYPE_A (1)
#define TYPE_PTR (12)
#define TYPE_TXT (16)
#define TYPE_SRV (33)
#define TYPE_ANY (255)
// RFC 6762 §6.7: answers to legacy unicast queries carry short TTLs.
#define LEGACY_TTL_MAX (10)

static pthread_mutex_t mdns_mutex = PTHREAD_MUTEX_INITIALIZER;
static const netman_mdns_config_t *mdns;   // valid while running
static char mdns_name[NETMAN_MDNS_NAME_MAX + 8]; // hostname, or hostname-<n> after a conflict
static uint32_t mdns_address;
static int mdns_fd = -1;

static void send_name_frame(uint8_t type) {
    air_frame_t frame;
    air_frame_begin(&frame, type);
    if (type == AIR_MSG_MDNS_CLAIM) {
        air_frame_put_str(&frame, mdns->hostname, strlen(mdns->hostname));
        air_frame_put_ipv4(&frame, mdns_address);
    }
    host_send_frame(&frame);
}

netman_err_t netman_hal_mdns_start(const netman_mdns_config_t *config, uint32_t address) {
    netman_hal_mdns_stop();
    // Only ever the device's own loopback address: never every interface
    // (0.0.0.0), nothing off this machine.
    if (address >> 24 != 127 || (address & 0xffffff) == 0) {
        snprintf(host_last_error, sizeof(host_last_error), "mdns: %u.%u.%u.%u is not a loopback host address",
            (unsigned)(address >> 24), (unsigned)(address >> 16) & 0xff, (unsigned)(address >> 8) & 0xff,
            (unsigned)address & 0xff);
        return NETMAN_ERR_IO;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in where = { .sin_family = AF_INET, .sin_port = htons(MDNS_PORT) };
    where.sin_addr.s_addr = htonl(address);
    if (fd < 0 || bind(fd, (struct sockaddr *)&where, sizeof(where)) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        snprintf(host_last_error, sizeof(host_last_error), "mdns: cannot listen on port %d", MDNS_PORT);
        return NETMAN_ERR_IO;
    }
    pthread_mutex_lock(&mdns_mutex);
    mdns = config;
    mdns_address = address;
    mdns_fd = fd;
    snprintf(mdns_name, sizeof(mdns_name), "%s", config->hostname);
    send_name_frame(AIR_MSG_MDNS_CLAIM);
    pthread_mutex_unlock(&mdns_mutex);
    host_wake_io_thread();
    return NETMAN_OK;
}

void netman_hal_mdns_stop(void) {
    pthread_mutex_lock(&mdns_mutex);
    if (mdns_fd >= 0) {
        close(mdns_fd);
        mdns_fd = -1;
        send_name_frame(AIR_MSG_MDNS_RELEASE);
    }
    mdns = NULL;
    pthread_mutex_unlock(&mdns_mutex);
}

void host_mdns_set_suffix(uint16_t suffix) {
    pthread_mutex_lock(&mdns_mutex);
    if (mdns != NULL) {
        if (suffix >= 2) {
            snprintf(mdns_name, sizeof(mdns_name), "%s-%u", mdns->hostname, (unsigned)suffix);
        } else {
            snprintf(mdns_name, sizeof(mdns_name), "%s", mdns->hostname);
        }
    }
    pthread_mutex_unlock(&mdns_mutex);
}

int host_mdns_fd(void) {
    pthread_mutex_lock(&mdns_mutex);
    int fd = mdns_fd;
    pthread_mutex_unlock(&mdns_mutex);
    return fd;
}

// ---- DNS messages -------------------------------------------------------------

// Read a (possibly compressed) name at *pos as lower-case dotted text.
static bool read_name(const uint8_t *msg, size_t len, size_t *pos, char *out) {
    size_t at = *pos, used = 0;
    bool jumped = false;
    for (int hops = 0; hops < 16; hops++) {
        if (at >= len) {
            return false;
        }
        uint8_t n = msg[at];
        if (n == 0) {
            if (!jumped) {
                *pos = at + 1;
            }
            out[used ? used - 1 : 0] = '\0';
            return true;
        }
        if ((n & 0xc0) == 0xc0) {
            if (at + 1 >= len) {
                return false;
            }
            if (!jumped) {
                *pos = at + 2;
            }
            jumped = true;
            at = (size_t)(n & 0x3f) << 8 | msg[at + 1];
            continue;
        }
        if (n > 63 || at + 1 + n > len || used + n + 1 >= NAME_MAX_TEXT) {
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            out[used++] = (char)tolower(msg[at + 1 + i]);
        }
        out[used++] = '.';
        at += 1 + n;
    }
    return false;
}

typedef struct {
    uint8_t buf[DNS_MAX];
    size_t len;
    bool full;
} writer_t;

static void put(writer_t *w, const void *data, size_t n) {
    if (w->full || w->len + n > sizeof(w->buf)) {
        w->full = true;
        return;
    }
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

static void put_u16(writer_t *w, uint16_t v) {
    uint8_t b[2] = { v >> 8, v & 0xff };
    put(w, b, 2);
}

static void put_u32(writer_t *w, uint32_t v) {
    uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
    put(w, b, 4);
}

// A name from parts that are labels or dotted labels (the facade keeps dots
// out of instance names).
static void put_name(writer_t *w, const char *const *parts, int count) {
    for (int p = 0; p < count; p++) {
        const char *s = parts[p];
        while (*s != '\0') {
            const char *dot = strchr(s, '.');
            size_t n = dot ? (size_t)(dot - s) : strlen(s);
            uint8_t len = n > 63 ? 63 : (uint8_t)n;
            put(w, &len, 1);
            put(w, s, len);
            s += n;
            if (*s == '.') {
                s++;
            }
        }
    }
    uint8_t end = 0;
    put(w, &end, 1);
}

static void put_record_head(writer_t *w, const char *const *name, int parts, uint16_t type, uint32_t ttl) {
    put_name(w, name, parts);
    put_u16(w, type);
    put_u16(w, 1); // class IN
    put_u32(w, ttl);
}

// Case-insensitive: does `text` equal the parts joined with dots?
static bool name_is(const char *text, const char *const *parts, int count) {
    for (int p = 0; p < count; p++) {
        size_t n = strlen(parts[p]);
        if (strncasecmp(text, parts[p], n) != 0) {
            return false;
        }
        text += n;
        if (p + 1 < count) {
            if (*text != '.') {
                return false;
            }
            text++;
        }
    }
    return *text == '\0';
}

// Append the answers to one question; returns how many.
static int answer(writer_t *w, const char *qname, uint16_t qtype, uint32_t ttl) {
    int count = 0;
    const char *host[] = { mdns_name, "local" };
    if (name_is(qname, host, 2) && (qtype == TYPE_A || qtype == TYPE_ANY)) {
        put_record_head(w, host, 2, TYPE_A, ttl);
        put_u16(w, 4);
        put_u32(w, mdns_address);
        count++;
    }
    const char *all_services[] = { "_services._dns-sd._udp", "local" };
    bool list = name_is(qname, all_services, 2) && (qtype == TYPE_PTR || qtype == TYPE_ANY);
    for (int i = 0; i < mdns->service_count; i++) {
        const netman_mdns_service_t *s = &mdns->services[i];
        const char *type_name[] = { s->service, s->proto, "local" };
        const char *instance[] = { s->instance, s->service, s->proto, "local" };
        if (list) {
            put_record_head(w, all_services, 2, TYPE_PTR, ttl);
            writer_t rdata = { .len = 0 };
            put_name(&rdata, type_name, 3);
            put_u16(w, rdata.len);
            put(w, rdata.buf, rdata.len);
            count++;
        }
        if (name_is(qname, type_name, 3) && (qtype == TYPE_PTR || qtype == TYPE_ANY)) {
            put_record_head(w, type_name, 3, TYPE_PTR, ttl);
            writer_t rdata = { .len = 0 };
            put_name(&rdata, instance, 4);
            put_u16(w, rdata.len);
            put(w, rdata.buf, rdata.len);
            count++;
        }
        if (name_is(qname, instance, 4) && (qtype == TYPE_SRV || qtype == TYPE_ANY)) {
            put_record_head(w, instance, 4, TYPE_SRV, ttl);
            writer_t rdata = { .len = 0 };
            put_u16(&rdata, 0); // priority
            put_u16(&rdata, 0); // weight
            put_u16(&rdata, s->port);
            put_name(&rdata, host, 2);
            put_u16(w, rdata.len);
            put(w, rdata.buf, rdata.len);
            count++;
        }
        if (name_is(qname, instance, 4) && (qtype == TYPE_TXT || qtype == TYPE_ANY)) {
            put_record_head(w, instance, 4, TYPE_TXT, ttl);
            put_u16(w, 1);
            uint8_t empty = 0; // one empty string: no attributes
            put(w, &empty, 1);
            count++;
        }
    }
    return count;
}

// Answer the query waiting on the socket, to whoever asked (unicast).
void host_mdns_service(void) {
    uint8_t query[DNS_MAX];
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    pthread_mutex_lock(&mdns_mutex);
    ssize_t n = mdns_fd < 0 ? -1 : recvfrom(mdns_fd, query, sizeof(query), 0, (struct sockaddr *)&from, &from_len);
    if (n < 12 || mdns == NULL || (query[2] & 0x80) != 0) {
        pthread_mutex_unlock(&mdns_mutex);
        return; // nothing, too short, or a response rather than a query
    }
    size_t len = (size_t)n;
    uint16_t questions = (uint16_t)(query[4] << 8 | query[5]);
    uint32_t ttl = mdns->ttl;
    if (ntohs(from.sin_port) != MDNS_PORT && ttl > LEGACY_TTL_MAX) {
        ttl = LEGACY_TTL_MAX;
    }
    static writer_t answers;
    answers.len = 0;
    answers.full = false;
    int count = 0;
    size_t pos = 12;
    char qname[NAME_MAX_TEXT];
    for (uint16_t q = 0; q < questions; q++) {
        if (!read_name(query, len, &pos, qname) || pos + 4 > len) {
            pthread_mutex_unlock(&mdns_mutex);
            return; // malformed: ignore it
        }
        uint16_t qtype = (uint16_t)(query[pos] << 8 | query[pos + 1]);
        pos += 4;
        count += answer(&answers, qname, qtype, ttl);
    }
    if (count > 0 && !answers.full) {
        // Header with the query's id, the questions echoed (legacy unicast), the answers.
        static writer_t reply;
        reply.len = 0;
        reply.full = false;
        put(&reply, query, 2);
        put_u16(&reply, 0x8400); // response, authoritative
        put_u16(&reply, questions);
        put_u16(&reply, (uint16_t)count);
        put_u16(&reply, 0);
        put_u16(&reply, 0);
        put(&reply, query + 12, pos - 12);
        put(&reply, answers.buf, answers.len);
        if (!reply.full) {
            sendto(mdns_fd, reply.buf, reply.len, 0, (struct sockaddr *)&from, from_len);
        }
    }
    pthread_mutex_unlock(&mdns_mutex);
}
