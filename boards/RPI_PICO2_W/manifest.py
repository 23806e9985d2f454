# What MicroPython freezes for the Raspberry Pi Pico 2 W, and the netman facade.
include("$(PORT_DIR)/boards/RPI_PICO2_W/manifest.py")
package("netman", base_path="../../python")
