# netman firmware for a generic ESP32-C6 module: MicroPython's own board
# definition (paths relative to ports/esp32, as MicroPython's boards write
# them), with the netman facade frozen in. The _netman C module comes in
# through USER_C_MODULES (the top-level Makefile's `firmware` target).
include(boards/ESP32_GENERIC_C6/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/../manifest_esp32.py)
list(APPEND SDKCONFIG_DEFAULTS ${MICROPY_BOARD_DIR}/../sdkconfig.netman)
