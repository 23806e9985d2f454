// netman firmware for a generic ESP32-S3 module: MicroPython's board settings unchanged.
#include "boards/ESP32_GENERIC_S3/mpconfigboard.h"
