# MicroPython's ESP-NOW receiver example, on netman: only the import and the
# radio start differ from the espnow documentation's version.
#
#   tools/netman-run --mac espnow_receiver=bb:bb:bb:bb:bb:bb \
#       examples/espnow.toml examples/espnow_receiver.py examples/espnow_sender.py
import netman
from netman import espnow

# The radio must be on (on a board: network.WLAN(network.WLAN.IF_STA).active(True)).
netman.start(sta={"managed": True})

e = espnow.ESPNow()
e.config(rxbuf=4096)  # room for the sender's bursts while we print
e.active(True)

count = 0
while True:
    host, msg = e.recv()
    if msg:  # msg == None if timeout in recv()
        count += 1
        print(host, msg)
        if msg == b"end":
            break
print("received", count, "messages; stats", e.stats())
