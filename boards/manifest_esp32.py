# Frozen into netman's ESP32 boards: what MicroPython freezes for the esp32
# port, and the netman facade.
include("$(PORT_DIR)/boards/manifest.py")
package("netman", base_path="../python")
