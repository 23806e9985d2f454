# A sensor that publishes its readings to an MQTT broker with QoS 1 through
# umqtt.robust (micropython-lib's MQTT client, installed from PyPI as it is),
# on MicroPython's network module: this file runs on an ESP32 as it is (with
# your SSID, key and broker). umqtt.robust reconnects and publishes again
# whenever the connection breaks, e.g. while the WiFi is gone (with one
# method changed: see MQTTClient below).
#
#   tools/upip.py --target lib micropython-umqtt.simple micropython-umqtt.robust
#   mosquitto -p 18830 &      # the broker; examples/mqtt_sensor.toml leads to it
#   MICROPYPATH=.frozen:lib tools/netman-run examples/mqtt_sensor.toml examples/mqtt_sensor.py
import time

import network
from umqtt import robust, simple

SSID, KEY = "home", "secret123"
BROKER = "127.77.0.1"  # behind the AP (netsim's [[forward]]); on a board: your broker
PORT = 1883
TOPIC = b"sensor/reading"
READINGS = 60
PERIOD_MS = 100


class MQTTClient(robust.MQTTClient):
    # umqtt.robust's wait_msg() reconnects on a broken connection and goes on
    # waiting, also when publish() calls it for the broker's acknowledgement:
    # a break after a reading went out and before its PUBACK came back would
    # leave publish() waiting on the new connection for the acknowledgement of
    # a message that connection never carried, for ever. Waiting as
    # umqtt.simple does lets the break reach robust's publish(), which
    # reconnects and publishes the reading again (QoS 1: at least once).
    def wait_msg(self):
        return simple.MQTTClient.wait_msg(self)


wlan = network.WLAN(network.WLAN.IF_STA)
wlan.active(True)
wlan.connect(SSID, KEY)
while not wlan.isconnected():
    time.sleep_ms(100)
print("online", wlan.ifconfig()[0])

client = MQTTClient("sensor-1", BROKER, port=PORT, keepalive=30)
client.DELAY = 0.5  # between reconnect attempts (umqtt.robust's default: 2 s)
client.DEBUG = True  # say why it reconnects
client.connect(clean_session=False)
for n in range(READINGS):
    client.publish(TOPIC, b"%d" % n, qos=1)  # returns once the broker acknowledged it
    print("published", n)
    time.sleep_ms(PERIOD_MS)
client.disconnect()
print("done")
