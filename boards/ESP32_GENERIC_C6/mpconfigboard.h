// netman firmware for a generic ESP32-C6 module: MicroPython's board settings unchanged.
#include "boards/ESP32_GENERIC_C6/mpconfigboard.h"
