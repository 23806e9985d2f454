# Station mode, as in AtomVM's sta_network example: configure the network
# once, then react to what happens through callbacks.
#
#   tools/netman-run examples/sta_network.toml examples/sta_network.py
import time

import netman

events = []  # type: list[str]


def connected():
    print("connected")
    events.append("connected")


def got_ip(ip_info):
    print("got_ip", ip_info)
    events.append("got_ip")


def disconnected():
    print("disconnected:", netman.info()["disconnect_reason"])
    events.append("disconnected")


netman.start(sta={
    "ssid": "myssid",
    "psk": "mypsk-long-enough",
    "connected": connected,
    "got_ip": got_ip,
    "disconnected": disconnected,
})

# The application's own work goes here; callbacks run whenever it sleeps.
deadline = time.ticks_add(time.ticks_ms(), 10000)
while "got_ip" not in events and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(20)
info = netman.info()
if info["ap"] is None or info["ip"] is None:
    print("not joined within 10 s:", netman.sta_status())
    raise SystemExit(1)
print("joined", info["ap"]["ssid"], "at", info["ip"][0], "rssi", netman.sta_rssi())
netman.stop()
