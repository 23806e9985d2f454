# A phone looking for its networks: it scans now and then, sending probe
# requests on every channel (for "home" by name, and for any network).
import time

import netman

netman.start(sta={"managed": True})
for _ in range(3):
    netman.wifi_scan(ssid="home")
    netman.wifi_scan()
    time.sleep_ms(300)
