# The _netman user module for CMake-based ports: the port-free core plus the
# HAL in ports/<NETMAN_PORT>/ (picked from the port being built unless given).
# The port's own netman_port.cmake adds what that target needs (settings,
# vendor libraries) to usermod_netman.
get_filename_component(NETMAN_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

if(NOT NETMAN_PORT)
    if(IDF_TARGET)
        set(NETMAN_PORT esp32)
    elseif(PICO_SDK_PATH OR PICO_BOARD)
        set(NETMAN_PORT rp2)
    else()
        message(FATAL_ERROR "netman: cannot tell which port is being built; set NETMAN_PORT")
    endif()
endif()

set(NETMAN_PORT_DIR ${NETMAN_ROOT}/ports/${NETMAN_PORT})
if(NOT EXISTS ${NETMAN_PORT_DIR}/netman_port.cmake)
    message(FATAL_ERROR "netman: there is no HAL for port '${NETMAN_PORT}' (${NETMAN_PORT_DIR})")
endif()

# CONFIGURE_DEPENDS: an existing build directory re-globs at every build, so a
# source file added since it was configured is compiled, not left out of the link.
file(GLOB NETMAN_CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)
file(GLOB NETMAN_PORT_SOURCES CONFIGURE_DEPENDS ${NETMAN_PORT_DIR}/*.c)

add_library(usermod_netman INTERFACE)
target_include_directories(usermod_netman INTERFACE ${CMAKE_CURRENT_LIST_DIR} ${NETMAN_PORT_DIR})
# The port's settings; NETMAN_ESPNOW_RADIO (default 1) says whether its chip
# has ESP-NOW. Without it no ESP-NOW code is built (netman_core.h).
set(NETMAN_ESPNOW_RADIO 1)
include(${NETMAN_PORT_DIR}/netman_port.cmake)
if(NOT NETMAN_ESPNOW_RADIO)
    list(FILTER NETMAN_CORE_SOURCES EXCLUDE REGEX "/netman_espnow[^/]*\\.c$")
endif()
target_compile_definitions(usermod_netman INTERFACE NETMAN_ESPNOW_RADIO=${NETMAN_ESPNOW_RADIO})
target_sources(usermod_netman INTERFACE ${NETMAN_CORE_SOURCES} ${NETMAN_PORT_SOURCES})
target_link_libraries(usermod INTERFACE usermod_netman)
