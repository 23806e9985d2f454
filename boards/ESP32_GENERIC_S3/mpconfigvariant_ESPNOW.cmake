# The ESP32-S3 board asking netman to be `espnow`: `import espnow` and
# `import aioespnow` give netman's drop-ins (receive ring in C), and
# MicroPython's own _espnow module is left out: the driver's receive
# callback can have only one owner.
list(APPEND MICROPY_DEF_BOARD MICROPY_PY_ESPNOW=0)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/../manifest_esp32_espnow.py)
