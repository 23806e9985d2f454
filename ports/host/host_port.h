/*
 * What the host port's files share.
 */
#ifndef NETMAN_HOST_PORT_H
#define NETMAN_HOST_PORT_H

#include <stddef.h>

// The text netman_hal_last_error() returns; never holds a secret.
extern char host_last_error[256];

#endif // NETMAN_HOST_PORT_H
