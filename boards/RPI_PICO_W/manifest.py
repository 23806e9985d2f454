# What MicroPython freezes for the Raspberry Pi Pico W, and the netman facade.
include("$(PORT_DIR)/boards/RPI_PICO_W/manifest.py")
package("netman", base_path="../../python")
