/*
 * SNTP over lwIP: our own client on a raw UDP pcb (RFC 4330 checks in the
 * core's netman_ntp), so the port number is honoured and no lwIP timeout
 * slot is taken. The pcb exists only while a request is out: lwIP on rp2 has
 * MEMP_NUM_UDP_PCB = 4 + LWIP_MDNS_RESPONDER (MicroPython's
 * extmod/lwip-include/lwipopts_common.h) and DHCP, mDNS and the AP's DHCP
 * server hold theirs for good. The server is a name (lwIP's DNS), a dotted
 * address, or — with no host configured — the first NTP server DHCP offered. A valid
 * answer sets the board's clock, then the event carries the time.
 */
#include <string.h>

#include "py/mphal.h"
#include "lwip/dns.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "pico/aon_timer.h"

#include "netman_ntp.h"
#include "rp2_port.h"

#define REPLY_TIMEOUT_MS (1000)
#define RETRY_MS (2000)

static struct {
    bool active;
    uint16_t port;
    uint32_t interval_ms;
    struct udp_pcb *pcb;
    ip_addr_t server;
    bool resolved;
    bool resolving;
    bool waiting;               // a request is out
    uint32_t next_ms;           // when the next request goes
    uint32_t deadline_ms;       // when the one out has failed
    uint64_t sent;              // its transmit timestamp
    uintptr_t generation;       // one per start: a late DNS answer for an older host is dropped
} sntp;

// What DHCP offered (lwIP calls this with LWIP_DHCP_GET_NTP_SRV; see netman_port.cmake).
static ip4_addr_t dhcp_ntp_server;

void dhcp_set_ntp_servers(u8_t num_ntp_servers, const ip4_addr_t *ntp_server_addrs);
void dhcp_set_ntp_servers(u8_t num_ntp_servers, const ip4_addr_t *ntp_server_addrs) {
    if (num_ntp_servers > 0) {
        ip4_addr_copy(dhcp_ntp_server, ntp_server_addrs[0]);
    } else {
        ip4_addr_set_zero(&dhcp_ntp_server);
    }
}

static uint64_t ntp_now(void) {
    uint64_t ns = mp_hal_time_ns();
    return netman_ntp_from_unix(ns / 1000000000u, (uint32_t)(ns % 1000000000u));
}

// The request out is over (answered, failed or stopped): give its pcb back.
static void end_request(void) {
    sntp.waiting = false;
    if (sntp.pcb != NULL) {
        udp_remove(sntp.pcb);
        sntp.pcb = NULL;
    }
}

static void post_failure(netman_reason_t reason, uint32_t now_ms) {
    end_request();
    sntp.next_ms = now_ms + (sntp.interval_ms < RETRY_MS ? sntp.interval_ms : RETRY_MS);
    netman_event_t event = { .kind = NETMAN_EV_SNTP_FAILED };
    event.u.reason = reason;
    netman_core_post(&event);
}

static void on_reply(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)arg;
    (void)pcb;
    uint8_t reply[NETMAN_NTP_PACKET_LEN];
    uint16_t len = pbuf_copy_partial(p, reply, sizeof(reply), 0);
    pbuf_free(p);
    if (!sntp.waiting || !ip_addr_cmp(addr, &sntp.server) || port != sntp.port) {
        return; // late, or not from our server
    }
    uint32_t now_ms = mp_hal_ticks_ms();
    netman_event_t sync;
    if (netman_ntp_reply(reply, len, sntp.sent, ntp_now(), &sync) != NETMAN_REASON_NONE) {
        post_failure(NETMAN_REASON_BAD_REPLY, now_ms);
        return;
    }
    struct timespec ts = { .tv_sec = sync.u.sntp.tv_sec, .tv_nsec = (long)sync.u.sntp.tv_usec * 1000 };
    aon_timer_set_time(&ts);
    mp_hal_time_ns_set_from_rtc();
    end_request();
    sntp.next_ms = now_ms + sntp.interval_ms;
    netman_core_post(&sync);
}

static void on_resolved(const char *name, const ip_addr_t *addr, void *arg) {
    (void)name;
    if ((uintptr_t)arg != sntp.generation) {
        return; // asked before the last start, for another host
    }
    sntp.resolving = false;
    if (addr != NULL) {
        ip_addr_copy(sntp.server, *addr);
        sntp.resolved = true;
        sntp.next_ms = mp_hal_ticks_ms(); // ask at the next tick
    } else if (sntp.active) {
        post_failure(NETMAN_REASON_NO_SERVER, mp_hal_ticks_ms());
    }
}

// Find the server; true when its address is known now.
static bool resolve(uint32_t now_ms) {
    if (sntp.resolved) {
        return true;
    }
    // The name is the core's (not kept here: static RAM); lwIP copies it
    // (dns.c, dns_enqueue).
    char host[NETMAN_SNTP_HOST_MAX + 1];
    netman_sntp_get_host(host);
    if (host[0] == '\0') {
        if (ip4_addr_isany_val(dhcp_ntp_server)) {
            post_failure(NETMAN_REASON_NO_SERVER, now_ms);
            return false;
        }
        ip_addr_copy_from_ip4(sntp.server, dhcp_ntp_server);
        sntp.resolved = true;
        return true;
    }
    err_t err = dns_gethostbyname(host, &sntp.server, on_resolved, (void *)sntp.generation);
    if (err == ERR_OK) {
        sntp.resolved = true;
    } else if (err == ERR_INPROGRESS) {
        sntp.resolving = true;
    } else {
        post_failure(NETMAN_REASON_NO_SERVER, now_ms);
    }
    return sntp.resolved;
}

void rp2_sntp_watch(uint32_t now_ms) {
    if (!sntp.active || sntp.resolving) {
        return;
    }
    if (sntp.waiting) {
        if ((int32_t)(now_ms - sntp.deadline_ms) >= 0) {
            post_failure(NETMAN_REASON_TIMEOUT, now_ms);
        }
        return;
    }
    if ((int32_t)(now_ms - sntp.next_ms) < 0 || !resolve(now_ms)) {
        return;
    }
    sntp.pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
    if (sntp.pcb == NULL) {
        // Every UDP pcb in use (udp_new: memp_malloc(MEMP_UDP_PCB) failed).
        post_failure(NETMAN_REASON_START_FAILED, now_ms);
        return;
    }
    udp_recv(sntp.pcb, on_reply, NULL);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, NETMAN_NTP_PACKET_LEN, PBUF_RAM);
    if (p == NULL) {
        post_failure(NETMAN_REASON_TIMEOUT, now_ms);
        return;
    }
    sntp.sent = ntp_now();
    netman_ntp_request(p->payload, sntp.sent);
    err_t err = udp_sendto(sntp.pcb, p, &sntp.server, sntp.port);
    pbuf_free(p);
    if (err != ERR_OK) {
        post_failure(NETMAN_REASON_TIMEOUT, now_ms);
        return;
    }
    sntp.waiting = true;
    sntp.deadline_ms = now_ms + REPLY_TIMEOUT_MS;
}

netman_err_t netman_hal_sntp_start(const char *host, uint16_t port, uint32_t interval_ms) {
    (void)host; // read from the core when it is looked up (netman_sntp_get_host)
    // From the MicroPython thread or the watch: lwIP's lock is the PendSV lock.
    MICROPY_PY_LWIP_ENTER
    end_request();
    sntp.generation++;
    sntp.port = port;
    sntp.interval_ms = interval_ms;
    sntp.resolved = false;
    sntp.resolving = false;
    sntp.next_ms = mp_hal_ticks_ms();
    sntp.active = true;
    MICROPY_PY_LWIP_EXIT
    return NETMAN_OK;
}

void netman_hal_sntp_stop(void) {
    MICROPY_PY_LWIP_ENTER
    sntp.active = false;
    end_request();
    MICROPY_PY_LWIP_EXIT
}
