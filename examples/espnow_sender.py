# The espnow documentation's sender example, unchanged (MicroPython's
# docs/library/espnow.rst), run on the host build; see espnow_receiver.py.
# Only the lines marked "added" are not the documentation's.
import network
import espnow
import time  # added

# A WLAN interface must be active to send()/recv()
sta = network.WLAN(network.WLAN.IF_STA)  # Or network.WLAN.IF_AP
sta.active(True)
sta.disconnect()  # For ESP8266

e = espnow.ESPNow()
e.active(True)
peer = b"\xbb\xbb\xbb\xbb\xbb\xbb"  # MAC address of peer's wifi interface
e.add_peer(peer)  # Must add_peer() before send()

time.sleep_ms(500)  # added: netman-run starts the receiver at the same time
e.send(peer, "Starting...")
for i in range(100):
    e.send(peer, str(i) * 20, True)
e.send(peer, b"end")
print("sent; stats", e.stats())  # added
