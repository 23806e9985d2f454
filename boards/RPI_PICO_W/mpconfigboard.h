// netman firmware for the Raspberry Pi Pico W: MicroPython's board settings unchanged.
#include "ports/rp2/boards/RPI_PICO_W/mpconfigboard.h"
