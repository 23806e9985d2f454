# Frozen into an ESP32 board that asks netman to be `espnow`: MicroPython's
# esp32 manifest (ports/esp32/boards/manifest.py) without its espnow and
# aioespnow, and netman with drop-ins under those names. Frozen modules
# cannot share a name, so the stock list is spelled out here.
freeze("$(PORT_DIR)/modules", ("_boot.py", "apa106.py", "flashbdev.py", "inisetup.py", "machine.py"))
include("$(MPY_DIR)/extmod/asyncio")
require("bundle-networking")
require("dht")
require("ds18x20")
require("neopixel")
require("onewire")
require("umqtt.robust")
require("umqtt.simple")
require("upysh")
package("netman", base_path="../python")
module("espnow.py", base_path="espnow_dropin")
module("aioespnow.py", base_path="espnow_dropin")
