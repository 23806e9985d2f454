# The netman demo: start the station once, then watch the callbacks as the
# access point (examples/demo.toml) goes away and comes back.
#
# Without a `disconnected` callback the driver would reconnect by itself. This
# demo sets one to show the disconnect, so the application decides what to do
# next; here it simply asks to reconnect, every time a join fails, until the
# AP is back.
import time

import netman

SSID = "netman-demo"
PSK = "demo-password"
state = {"joins": 0, "lost": 0}


def connected():
    print("connected to", SSID, "- status", netman.sta_status())


def got_ip(ip_info):
    address, netmask, gateway = ip_info
    state["joins"] += 1
    print("got_ip", address, "netmask", netmask, "gateway", gateway)


def disconnected():
    state["lost"] += 1
    reason = netman.info()["disconnect_reason"]
    if state["lost"] == 1:
        print("disconnected:", reason, "- reconnecting until the AP is back")
    netman.sta_connect()


def beacon_timeout():
    print("beacon timeout: the AP went quiet")


netman.start(sta={
    "ssid": SSID,
    "psk": PSK,
    "connected": connected,
    "got_ip": got_ip,
    "disconnected": disconnected,
    "beacon_timeout": beacon_timeout,
})
print("started, status", netman.sta_status())

deadline = time.ticks_add(time.ticks_ms(), 15000)
while state["joins"] < 2 and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(50)  # callbacks run while we sleep

if state["joins"] < 2:
    print("demo failed: no reconnect within 15 s")
    raise SystemExit(1)
print("back online after", state["lost"], "disconnect event(s); stats", netman.stats())
netman.stop()
