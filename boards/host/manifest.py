# Frozen into the host firmware: asyncio, the netman facade, netman's
# `espnow` and `aioespnow` under MicroPython's names (as the ESP32 boards'
# ESPNOW variant freezes them), a `network` module on netman, so ESP32
# programs need no import changed, and the `ssl` that the unix port freezes
# from micropython-lib (absent from Debian's source), with its old name `ussl`.
include("$(MPY_DIR)/extmod/asyncio")
package("netman", base_path="../../python")
module("espnow.py", base_path="../espnow_dropin")
module("aioespnow.py", base_path="../espnow_dropin")
module("network.py")
module("ssl.py")
module("ussl.py")
