// netman firmware for the Raspberry Pi Pico 2 W: MicroPython's board settings unchanged.
#include "ports/rp2/boards/RPI_PICO2_W/mpconfigboard.h"
