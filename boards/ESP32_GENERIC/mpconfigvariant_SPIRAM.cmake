# With PSRAM (WROVER modules): MicroPython's SPIRAM variant. netman keeps
# up to 64 scan results here (ports/esp32/netman_port.cmake).
include(boards/ESP32_GENERIC/mpconfigvariant_SPIRAM.cmake)
