# The ESP32 HAL's part of usermod_netman, included by
# cmod/netman/micropython.cmake while MicroPython's main component is being
# processed: IDF_TARGET and the sdkconfig values (CONFIG_*) are CMake
# variables here, and the build's component list is known.
#
# Our sources are compiled as part of that main component, so they see the
# headers of what it REQUIRES (esp32_common.cmake: esp_wifi with esp_now.h,
# esp_event, esp_netif with esp_netif_sntp.h, esp_timer, nvs_flash, lwip) and
# of the managed mdns component its manifest pulls in (main/idf_component.yml).
# The main component's requirements are fixed before this file runs, so
# here we can only check that they are all there.

idf_build_get_property(netman_build_components BUILD_COMPONENTS)
foreach(netman_component esp_wifi esp_event esp_netif esp_timer nvs_flash lwip)
    if(NOT netman_component IN_LIST netman_build_components)
        message(FATAL_ERROR "netman: the ESP32 port needs the IDF component '${netman_component}', "
            "which this build does not have")
    endif()
endforeach()

# mDNS: the managed component (espressif__mdns), or a local copy named mdns.
set(netman_mdns "")
foreach(netman_component espressif__mdns mdns)
    if(netman_component IN_LIST netman_build_components)
        set(netman_mdns ${netman_component})
        break()
    endif()
endforeach()
if(NOT netman_mdns)
    message(FATAL_ERROR "netman: the ESP32 port needs the mdns component "
        "(espressif/mdns in the main component's idf_component.yml)")
endif()
# mdns_hostname_get(), which tells the name the responder settled on after a
# conflict, came with mdns 1.2.0; some MicroPython releases pin ~1.1.0.
idf_component_get_property(netman_mdns_dir ${netman_mdns} COMPONENT_DIR)
file(READ ${netman_mdns_dir}/include/mdns.h netman_mdns_header)
string(FIND "${netman_mdns_header}" "mdns_hostname_get(" netman_at)
if(netman_at EQUAL -1)
    set(netman_mdns_hostname_get 0)
else()
    set(netman_mdns_hostname_get 1)
endif()

# WPA2-Enterprise (esp32_eap.c): ESP-IDF's EAP client is the wpa_supplicant
# component, which esp_wifi requires only privately and MicroPython's main
# component not at all: its headers and library come in through its target.
if(wpa_supplicant IN_LIST netman_build_components)
    idf_component_get_property(netman_wpa_lib wpa_supplicant COMPONENT_LIB)
    target_link_libraries(usermod_netman INTERFACE ${netman_wpa_lib})
endif()

# Scan results kept per scan, sized by RAM as AtomVM does: plenty with
# PSRAM, little on the small chips.
if(CONFIG_SPIRAM)
    set(netman_max_scan_results 64)
elseif(IDF_TARGET STREQUAL "esp32c2")
    set(netman_max_scan_results 10)
elseif(IDF_TARGET MATCHES "^esp32(s2|c5|c61)$")
    set(netman_max_scan_results 14)
else()
    set(netman_max_scan_results 20)
endif()

target_compile_definitions(usermod_netman INTERFACE
    NETMAN_MAX_SCAN_RESULTS=${netman_max_scan_results}
    NETMAN_MDNS_HOSTNAME_GET=${netman_mdns_hostname_get}
)
