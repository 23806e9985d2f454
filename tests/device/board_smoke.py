# Runs ON the board (through mpremote): the station smoke test. The host side
# (test_board.py) defines SSID and PSK first, then runs this file and reads
# its lines:  CHECK <name> ok | CHECK <name> FAIL <detail>,  then DONE.
import time

import netman

statuses = []
events = []


def check(name, ok, detail=""):
    print("CHECK", name, "ok" if ok else "FAIL " + str(detail))


def on(name):
    def record(*args):
        events.append(name)
        statuses.append(netman.sta_status())

    return record


def watch_status(ms):
    # The status walk: every distinct status seen while connecting.
    deadline = time.ticks_add(time.ticks_ms(), ms)
    while time.ticks_diff(deadline, time.ticks_ms()) > 0:
        s = netman.sta_status()
        if not statuses or statuses[-1] != s:
            statuses.append(s)
        if s == "connected":
            return
        time.sleep_ms(10)


netman.start(sta={"ssid": SSID, "psk": PSK, "connected": on("connected"), "got_ip": on("got_ip")})
watch_status(30000)
check("status_walk", statuses[-1:] == ["connected"] and "connecting" in statuses, statuses)
time.sleep_ms(200)  # let the scheduled callbacks run
check("callbacks", events[:2] == ["connected", "got_ip"], events)
ip = netman.info()["ip"]
check("got_ip", ip is not None and ip[0] != "0.0.0.0", ip)
rssi = netman.sta_rssi()
check("rssi", isinstance(rssi, int) and -100 < rssi < 0, rssi)
found, networks = netman.wifi_scan({"results": 10})
# Our AP is among the strongest ten, or the air is crowded.
check("scan", any(n["ssid"] == SSID for n in networks) or found > 10, [n["ssid"] for n in networks])
check("scan_fields", all(set(n) >= {"ssid", "bssid", "rssi", "authmode", "channel", "hidden"} for n in networks), networks[:1])
netman.sta_disconnect()
time.sleep_ms(1500)
check("disconnect", netman.sta_status() == "disconnected", netman.sta_status())
netman.stop()
check("stop", netman.sta_status() == "inactive", netman.sta_status())
try:
    netman.sta_rssi()
    check("stopped_error", False, "no error")
except netman.NetError as e:
    check("stopped_error", e.reason == "not_started", e.reason)
print("DONE")
