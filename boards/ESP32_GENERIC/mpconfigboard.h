// netman firmware for a generic ESP32 module: MicroPython's board settings unchanged.
#include "boards/ESP32_GENERIC/mpconfigboard.h"
