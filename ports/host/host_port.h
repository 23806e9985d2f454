/*
 * What the host port's files share.
 */
#ifndef NETMAN_HOST_PORT_H
#define NETMAN_HOST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netman_hal.h"
#include "air_wire.h"

// The text netman_hal_last_error() returns; never holds a secret.
extern char host_last_error[256];

int64_t host_monotonic_ms(void);
// Make the I/O thread look at its deadlines again.
void host_wake_io_thread(void);
// Finish and send a frame to the air (any thread).
netman_err_t host_send_frame(air_frame_t *frame);

// The SNTP client (host_sntp.c), run by the I/O thread: its socket (-1 if
// none), its next deadline (-1 if none), and its work when the socket is
// readable or a deadline passed.
int host_sntp_fd(void);
int64_t host_sntp_deadline(void);
void host_sntp_service(int64_t now_ms, bool readable);

// The mDNS responder (host_mdns.c), run by the I/O thread: its socket (-1 if
// none), answering the query waiting there, and the name the air settled.
int host_mdns_fd(void);
void host_mdns_service(void);
void host_mdns_set_suffix(uint16_t suffix);

// The radio settings (host_radio.c): back to the defaults for a new session.
void host_radio_reset(void);

// The sniffer (host_sniffer.c): one SNIFF_RX frame from the air (I/O thread).
void host_sniffer_rx(air_reader_t *reader);

// WPA2-Enterprise (host_eap.c): the credentials for the join that follows.
netman_err_t host_eap_send(const netman_eap_t *eap);

#endif // NETMAN_HOST_PORT_H
