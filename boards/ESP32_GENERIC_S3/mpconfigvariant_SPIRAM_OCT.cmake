# With octal PSRAM: MicroPython's SPIRAM_OCT variant. netman keeps up to 64
# scan results here (ports/esp32/netman_port.cmake).
include(boards/ESP32_GENERIC_S3/mpconfigvariant_SPIRAM_OCT.cmake)
