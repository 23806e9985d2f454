# Runs ON the first board: pings PEER (6-byte MAC) COUNT times over ESP-NOW
# and checks every echo, then tells the echo board to stop.
#   CHECK espnow_ping ok | CHECK espnow_ping FAIL <detail>, then DONE.
import netman
from netman.espnow import ESPNow

netman.start(sta={"managed": True})
e = ESPNow()
e.active(True)
e.add_peer(PEER)
# The echo board may still be starting: knock until it answers.
for _ in range(50):
    e.send(PEER, b"hello")
    if e.recv(200)[1] == b"hello":
        break
good = 0
for i in range(COUNT):
    msg = b"ping %d" % i
    e.send(PEER, msg, True)
    mac, echo = e.recv(2000)
    while echo == b"hello":  # a late answer to a knock
        mac, echo = e.recv(2000)
    good += mac == PEER and echo == msg
e.send(PEER, b"bye")
print("CHECK espnow_ping", "ok" if good == COUNT else "FAIL %d of %d echoed" % (good, COUNT))
netman.stop()
print("DONE")
