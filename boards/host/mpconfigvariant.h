// netman host firmware: MicroPython's unix port with the _netman module and
// the frozen netman package; its radio is the air simulator (tools/netsim).

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// Room for the netman drain beside other scheduled callbacks.
#define MICROPY_SCHEDULER_DEPTH (8)

// An application that ends without netman.stop(): the host port's I/O
// thread is joined before the interpreter's heap goes (ports/host).
void netman_host_deinit(void);
#define MICROPY_PORT_DEINIT_FUNC netman_host_deinit()

#include "variants/mpconfigvariant_common.h"
