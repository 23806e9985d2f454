# The Pico 2 W's RISC-V variant, as MicroPython defines it.
include(${MICROPY_PORT_DIR}/boards/RPI_PICO2_W/mpconfigvariant_RISCV.cmake)
