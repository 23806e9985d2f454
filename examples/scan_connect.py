# AtomVM's managed-mode example: start the station without connecting, scan,
# and join the first network we know. Without a known network in range, scan
# again (AtomVM's example waits a minute first). Everything happens in callbacks.
#
#   tools/netman-run examples/scan_connect.toml examples/scan_connect.py
import time

import netman

# On a board these would come from netman.credentials; here they are inline.
KNOWN = {"upstairs": "upstairs-secret", "guest": None}
state = {"online": False, "scans": 0}


def connected():
    print("Connected to AP.")


def got_ip(ip_info):
    print("Got IP:", ip_info)
    state["online"] = True


def disconnected():
    print("Disconnected from AP, starting scan")
    netman.wifi_scan()


def got_scan_results(result):
    state["scans"] += 1
    if isinstance(result, netman.NetError):
        print("WiFi scan error", result.reason, "- retrying")
        netman.wifi_scan()
        return
    found, networks = result
    print("WiFi scan found", found, "networks.")
    connect_if_known(networks)


def connect_if_known(networks):
    for network in networks:
        ssid = network["ssid"]
        if ssid not in KNOWN:
            continue
        psk = KNOWN[ssid]
        if psk is None and network["authmode"] != "open":
            print("No psk stored for network", ssid, "with", network["authmode"], "security!")
            continue
        print("Connecting to", ssid, "(%s)..." % network["authmode"])
        netman.sta_connect(ssid=ssid, psk=psk or "")
        return
    print("No known networks found, re-scanning.")
    netman.wifi_scan()


netman.start(sta={
    "managed": True,
    "connected": connected,
    "got_ip": got_ip,
    "disconnected": disconnected,
    "scan_done": got_scan_results,
    "dhcp_hostname": "myesp32",
})
netman.wifi_scan()

deadline = time.ticks_add(time.ticks_ms(), 20000)
while not state["online"] and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(20)
print("online" if state["online"] else "gave up", "after", state["scans"], "scan(s)")
netman.stop()
