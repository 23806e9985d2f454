# The rp2 port (Pico W, Pico 2 W): CYW43439 through the cyw43 driver and lwIP,
# as MicroPython's rp2 port builds them. Included by cmod/netman/micropython.cmake.
if(NOT MICROPY_PY_NETWORK_CYW43)
    message(FATAL_ERROR "netman: board ${MICROPY_BOARD} has no CYW43 WiFi chip; "
        "build a Pico W or Pico 2 W board (RPI_PICO_W, RPI_PICO2_W)")
endif()

# The CYW43439 has no ESP-NOW: no ESP-NOW code is built, and the frozen
# netman.espnow (boards/no_espnow) raises OSError(ENODEV).
set(NETMAN_ESPNOW_RADIO 0)

target_compile_definitions(usermod_netman INTERFACE
    # The CYW43439's "qtxpower" holds quarter dBm up to 127 (rp2_radio_rules.c).
    NETMAN_TXPOWER_MIN_QDBM=0
    NETMAN_TXPOWER_MAX_QDBM=127
    # These reach every lwIP source of the firmware: DHCP asks for the NTP
    # server (our SNTP client uses it when no host is configured), and mDNS
    # advertises as many services as netman's mdns config allows.
    LWIP_DHCP_GET_NTP_SRV=1
    MDNS_MAX_SERVICES=8
    # The AP's DHCP server (MicroPython's shared/netutils/dhcpserver.h)
    # has DHCPS_MAX_IP = 8 leases: a ninth station would get no address.
    NETMAN_AP_MAX_STATIONS=8
)

# The chip's asynchronous events reach rp2_events.c first (it then calls the
# driver's own handler): cyw43_cb_process_async_event is the driver's single
# entry for them (cyw43_ll.c calls it, cyw43_ctrl.c defines it).
target_link_options(usermod_netman INTERFACE -Wl,--wrap=cyw43_cb_process_async_event)
