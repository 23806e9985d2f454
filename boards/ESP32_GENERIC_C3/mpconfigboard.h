// netman firmware for a generic ESP32-C3 module: MicroPython's board settings unchanged.
#include "boards/ESP32_GENERIC_C3/mpconfigboard.h"
