"""netman's big C state (event queue, scan array, mDNS config, ESP-NOW's
peers, keys and ring) comes from the MicroPython heap while the network runs
and goes back at stop(): repeated sessions do not grow the heap, and memory
reused after stop() is not written by the stopped session."""

from __future__ import annotations

from conftest import AirProcess, DeviceFactory

# One full session: station with an address, a scan, mDNS, ESP-NOW with a
# peer; returns the heap free while it runs.
SESSION = """
import gc, time, netman
from netman.espnow import ESPNow

def session(n):
    netman.start(sta=dict(ssid='home', psk='secret123'), mdns=dict(hostname='cycle%d' % n),
                 espnow=dict(rxbuf=2048))
    netman.wait_for_sta()
    netman.wifi_scan()
    ESPNow().add_peer(b'\\x02\\x00\\x00\\x00\\x0e\\x09')
    gc.collect()
    running = gc.mem_free()
    netman.stop()
    return running

def idle():
    gc.collect()
    return gc.mem_free()
"""


def test_repeated_sessions_give_their_memory_back(device: DeviceFactory) -> None:
    dev = device(SESSION + """
session(0)  # the first one loads and interns what every later one shares
before = idle()
running, after = [], []
for n in range(1, 6):
    running.append(session(n))
    after.append(idle())
print("before", before)
print("running", *running)
print("after", *after)
""")
    assert dev.wait_exit(60) == 0, dev.output
    figures = {line.split()[0]: [int(v) for v in line.split()[1:]] for line in dev.output.splitlines()}
    before, running, after = figures["before"][0], figures["running"], figures["after"]
    # While running the heap holds at least the queue (32 events), the mDNS
    # config (8 services) and ESP-NOW's 2048-byte ring.
    assert all(before - r >= 32 * 24 + 1160 + 2048 for r in running), (before, running)
    # Each stop() gives it all back: no session leaves more than a few
    # small objects behind (allocation granularity), and none grows the heap.
    assert all(abs(a - before) <= 256 for a in after), (before, after)
    assert max(after) - min(after) <= 256, after


def test_espnow_takes_its_peer_table_from_the_heap_only_while_active(device: DeviceFactory) -> None:
    dev = device(SESSION + """
netman.start(sta=dict(managed=True))
e = ESPNow()
e.config(rxbuf=16)
e.active(True)
e.active(False)
off = idle()
e.active(True)
on = idle()
e.active(False)
print("heap", off, on, idle())
netman.stop()
""")
    assert dev.wait_exit(30) == 0, dev.output
    off, on, off_again = (int(v) for v in dev.output.split("heap")[1].split())
    # Twenty peers with their keys (26 bytes each) beside the 16-byte ring.
    assert off - on >= 20 * 26 + 16, (off, on)
    assert abs(off_again - off) <= 64, (off, off_again)  # a few blocks of Python objects at most


def test_memory_reused_after_stop_is_not_written_by_the_stopped_session(device: DeviceFactory,
                                                                       air: AirProcess) -> None:
    mac = "02:00:00:00:0e:01"
    dev = device(SESSION + """
session(0)
netman.start(sta=dict(ssid='home', psk='secret123'), espnow=dict(rxbuf=4096))
netman.wait_for_sta()
print("FLOOD")
time.sleep_ms(300)
netman.stop()  # frames still on their way (the device leaves the air here)
# The blocks the session freed go to these, filled with a pattern.
fill = [bytearray(b'\\x5a' * 64) for i in range(2000)]
print("FILLED")
time.sleep_ms(500)
print("INTACT", all(b == b'\\x5a' * 64 for b in fill))
""", mac=mac)
    dev.wait_line("^FLOOD$", timeout=30)
    air.client.espnow_flood(mac, count=5000, length=250)
    assert dev.wait_exit(30) == 0, dev.output
    assert "INTACT True" in dev.output.splitlines(), dev.output
