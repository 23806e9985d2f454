# netman firmware for the Raspberry Pi Pico W: MicroPython's own board definition, with
# the netman facade frozen in. The _netman C module comes in through
# USER_C_MODULES (the top-level Makefile's `firmware` target passes it).
set(NETMAN_UPSTREAM_BOARD_DIR ${MICROPY_PORT_DIR}/boards/RPI_PICO_W)
include(${NETMAN_UPSTREAM_BOARD_DIR}/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)
set(MICROPY_BOARD_PINS ${NETMAN_UPSTREAM_BOARD_DIR}/pins.csv)
