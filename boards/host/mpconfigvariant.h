// netman host firmware: MicroPython's unix port with the _netman module and
// the frozen netman package; its radio is the air simulator (tools/netsim).

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Room for the netman drain beside other scheduled callbacks.
#define MICROPY_SCHEDULER_DEPTH (8)

#include "variants/mpconfigvariant_common.h"
