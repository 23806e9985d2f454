# The espnow documentation's receiver example, unchanged (MicroPython's
# docs/library/espnow.rst), run on the host build. Only the lines marked
# "added" are not the documentation's.
#
#   tools/netman-run --mac espnow_receiver=bb:bb:bb:bb:bb:bb \
#       examples/espnow.toml examples/espnow_receiver.py examples/espnow_sender.py
import network
import espnow

# A WLAN interface must be active to send()/recv()
sta = network.WLAN(network.WLAN.IF_STA)
sta.active(True)
sta.disconnect()  # Because ESP8266 auto-connects to last Access Point

e = espnow.ESPNow()
e.config(rxbuf=4096)  # added: room for the sender's bursts while we print
e.active(True)

count = 0  # added
while True:
    host, msg = e.recv()
    if msg:  # msg == None if timeout in recv()
        count += 1  # added
        print(host, msg)
        if msg == b"end":
            break
print("received", count, "messages; stats", e.stats())  # added
