/*
 * Which 2.4 GHz channels a country allows. Plain C (no MicroPython header):
 * the host tests load it on its own.
 */
#ifndef NETMAN_COUNTRY_H
#define NETMAN_COUNTRY_H

#include <stdint.h>

// The highest channel a country allows (channels 1 to it): 11, 13 or 14; 0
// for a code that is not a known country. `code` is two upper-case letters,
// or "01" (ESP-IDF's world safe mode) or "XX" (the CYW43's worldwide code).
uint8_t netman_country_channels(const char *code);

#endif // NETMAN_COUNTRY_H
