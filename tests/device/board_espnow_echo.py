# Runs ON the second board: echoes every ESP-NOW frame back to its sender
# until b"bye" (or 30 s of silence). Prints its MAC first (MAC <hex>), then
# how many frames it echoed (ECHOED <n>).
from binascii import hexlify

import netman
from netman.espnow import ESPNow

netman.start(sta={"managed": True})
e = ESPNow()
e.active(True)
print("MAC", hexlify(netman.info()["mac"]).decode())
echoed = 0
while True:
    mac, msg = e.recv(30000)
    if mac is None or msg == b"bye":
        break
    if mac not in [peer[0] for peer in e.get_peers()]:
        e.add_peer(mac)
    e.send(mac, msg)
    echoed += 1
print("ECHOED", echoed)
netman.stop()
