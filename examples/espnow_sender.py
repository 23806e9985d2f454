# MicroPython's ESP-NOW sender example, on netman (see espnow_receiver.py).
import time

import netman
from netman import espnow

netman.start(sta={"managed": True})

e = espnow.ESPNow()
e.active(True)
peer = b"\xbb\xbb\xbb\xbb\xbb\xbb"  # MAC address of peer's wifi interface
e.add_peer(peer)  # Must add_peer() before send()

time.sleep_ms(500)  # let the receiver come up (both start at once under netman-run)
e.send(peer, "Starting...")
failed = 0
for i in range(100):
    if not e.send(peer, str(i) * 20, True):
        failed += 1
e.send(peer, b"end")
print("sent 102 messages,", failed, "not acknowledged")
