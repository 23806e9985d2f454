# What MicroPython freezes for the Raspberry Pi Pico 2 W, and the netman facade
# without ESP-NOW (the CYW43439 has none).
include("$(PORT_DIR)/boards/RPI_PICO2_W/manifest.py")
include("../manifest_no_espnow.py")
