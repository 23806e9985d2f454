# A presence detector: which devices are around, told by the probe requests
# their WiFi sends while it looks for networks (a phone does every few
# seconds). netman's sniffer hops over channels 1, 6 and 11 and keeps only
# probe requests; each is read into one reused frame, without allocating.
#
#   tools/netman-run --mac sniffer_phone=02:11:22:33:44:01 \
#       examples/sniffer.toml examples/sniffer.py examples/sniffer_phone.py
import time

import netman
from netman.sniffer import Sniffer

LISTEN_MS = 4000

netman.start(sta={"managed": True})  # the radio on, joined to nothing
sniffer = Sniffer()
sniffer.start(types=("mgmt",), subtypes=("probe_req",), channels=(1, 6, 11), dwell=120, snaplen=64)



class Seen:
    def __init__(self, rssi):
        self.rssi = rssi            # the strongest heard
        self.probes = 0
        self.looking_for = set()  # type: set[str]


present = {}  # type: dict[str, Seen]
deadline = time.ticks_add(time.ticks_ms(), LISTEN_MS)
while time.ticks_diff(deadline, time.ticks_ms()) > 0:
    frame = sniffer.irecv(100)
    if frame is None:
        continue
    data = frame.data
    mac = ":".join("%02x" % b for b in data[10:16])  # address 2: who sent it
    seen = present.get(mac)
    if seen is None:
        seen = present[mac] = Seen(frame.rssi)
        print("arrived:", mac, "rssi", frame.rssi)
    seen.probes += 1
    seen.rssi = max(seen.rssi, frame.rssi)
    # The first element after the 24-byte header is the SSID probed for (empty: any).
    if len(data) > 26 and data[24] == 0:
        ssid = bytes(data[26:26 + data[25]])
        if ssid:
            seen.looking_for.add(ssid.decode())
sniffer.stop()

print("present:", len(present))
for mac in sorted(present):
    seen = present[mac]
    print(mac, "rssi", seen.rssi, "probes", seen.probes, "looking for", sorted(seen.looking_for) or "any")
stats = sniffer.stats()
print("frames", stats["received"], "dropped", stats["dropped"])
