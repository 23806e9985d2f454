# The other side of espnow_echo.py: send a few messages to the echo server
# and count the echoes (the server's heartbeats are counted too).
import time

import espnow
import network

network.WLAN(network.WLAN.IF_STA).active(True)
e = espnow.ESPNow()
e.active(True)
server = b"\xaa\xaa\xaa\xaa\xaa\xaa"
e.add_peer(server)

time.sleep_ms(500)  # let the server come up
echoes = heartbeats = 0
for i in range(5):
    e.send(server, b"hello %d" % i)
    deadline = time.ticks_add(time.ticks_ms(), 1000)
    while time.ticks_diff(deadline, time.ticks_ms()) > 0:
        mac, msg = e.recv(100)
        if msg == b"ping":
            heartbeats += 1
        elif msg == b"hello %d" % i:
            echoes += 1
            break
print("echoes", echoes, "of 5; heartbeats", heartbeats)
