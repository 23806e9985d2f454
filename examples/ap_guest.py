# A station that visits examples/ap_network.py's access point and leaves.
# Both devices start together, so the AP may not be up yet: try again then.
import time

import netman

for attempt in range(20):
    try:
        address, netmask, gateway = netman.wait_for_sta(ssid="myssid", psk="mypsk-is-long", timeout_ms=5000)
        break
    except netman.NetError as error:
        if error.reason != "no_ap_found":
            raise
        time.sleep_ms(250)
print("joined myssid as", address, "gateway", gateway)
netman.stop()
