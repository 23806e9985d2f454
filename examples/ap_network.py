# Access-point mode, as in AtomVM's ap_network example: start a WiFi network
# of our own and hear about every station that joins or leaves it.
#
#   tools/netman-run examples/ap_network.toml examples/ap_network.py examples/ap_guest.py
import time

import netman

seen = {"joined": 0, "left": 0}


def ap_started():
    softap = netman.info()["softap"]  # our AP's details: never None in AP mode
    assert softap is not None
    print("AP started at", softap["address"])


def sta_connected(mac):
    print("STA connected with mac", mac.hex(":"))
    seen["joined"] += 1


def sta_disconnected(mac):
    print("STA disconnected with mac", mac.hex(":"))
    seen["left"] += 1


def sta_ip_assigned(address):
    print("STA assigned address", address)


netman.start(ap={
    "ssid": "myssid",
    "psk": "mypsk-is-long",
    "ap_started": ap_started,
    "sta_connected": sta_connected,
    "sta_ip_assigned": sta_ip_assigned,
    "sta_disconnected": sta_disconnected,
})

deadline = time.ticks_add(time.ticks_ms(), 15000)
while (seen["joined"] == 0 or seen["left"] < seen["joined"]) and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(20)
print("stations seen:", seen["joined"])
netman.stop()
