// netman firmware for the Raspberry Pi Pico 2 W: MicroPython's board settings, and a PendSV
// slot of netman's own. Its watch reads the cyw43 driver there, after the soft
// timer handler has returned: driver I/O inside that handler could re-insert a
// soft timer while the handler walks them (ports/rp2/netman_hal_rp2.c).
#include "ports/rp2/boards/RPI_PICO2_W/mpconfigboard.h"

#define MICROPY_BOARD_PENDSV_ENTRIES PENDSV_DISPATCH_NETMAN,
#define NETMAN_RP2_PENDSV_SLOT (1)
