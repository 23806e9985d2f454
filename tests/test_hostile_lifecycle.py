"""stop() always completes, and a wait that is given up (an asyncio cancel,
Ctrl-C) does not leave behind the network it started."""

from __future__ import annotations

import signal
import time

import pytest

from conftest import home_air


def test_stop_from_a_callback_with_a_full_schedule_queue_completes(device) -> None:
    dev = device("""
import micropython, netman, time

results = []

def connected():
    netman.wifi_scan()  # callback mode: the scan runs on
    # Whatever else the application scheduled: the queue is full.
    while True:
        try:
            micropython.schedule(lambda arg: None, None)
        except RuntimeError:
            break
    try:
        netman.stop()
        print("STOPPED", netman.sta_status())
    except Exception as e:
        print("STOP RAISED", type(e).__name__, e)

netman.start(sta=dict(ssid='home', psk='secret123', connected=connected, scan_done=results.append))
time.sleep_ms(1000)
print("SCAN RESULT", [getattr(r, "reason", r) for r in results])
netman.start(sta=dict(ssid='home', psk='secret123'))
print("RESTARTED", netman.sta_status())
""")
    dev.wait_line("^STOPPED inactive$")
    assert "STOP RAISED" not in dev.output
    dev.wait_line(r"^SCAN RESULT \['scan_canceled'\]$")
    dev.wait_line("^RESTARTED connecting$")


def test_a_scan_done_callback_that_raises_in_stop_is_reported(device) -> None:
    dev = device("""
import netman, time

def scan_done(result):
    raise RuntimeError("scan_done failure")

netman.start(sta=dict(ssid='home', psk='secret123', managed=True, scan_done=scan_done))
netman.wifi_scan()
netman.stop()
print("STOPPED", netman.sta_status())
""")
    dev.wait_line("^STOPPED inactive$")
    assert "the scan_done callback raised" in dev.output
    assert "RuntimeError: scan_done failure" in dev.output


@pytest.mark.scenario(home_air(dhcp_ms=3000))
def test_a_cancelled_aio_wait_for_sta_stops_the_network_it_started(device, air) -> None:
    dev = device("""
import asyncio, netman, netman.aio

async def main():
    try:
        await asyncio.wait_for(netman.aio.wait_for_sta(ssid='home', psk='secret123'), 0.3)
    except asyncio.TimeoutError:
        print("TIMED OUT", netman.sta_status())
    # A network the application started itself is its own: a cancelled wait leaves it.
    netman.start(sta=dict(ssid='home', psk='secret123'))
    try:
        await asyncio.wait_for(netman.aio.wait_for_sta(), 0.3)
    except asyncio.TimeoutError:
        print("SECOND", netman.sta_status())

asyncio.run(main())
""")
    dev.wait_line("^TIMED OUT inactive$")
    dev.wait_line("^SECOND (associated|connecting)$")
    air.client.wait_for("device_left_air")


@pytest.mark.scenario(home_air(dhcp_ms=5000))
def test_ctrl_c_in_wait_for_sta_stops_the_network_it_started(device) -> None:
    dev = device("""
import netman
try:
    # Associated, waiting for an address: the signal comes while it waits.
    netman.wait_for_sta(ssid='home', psk='secret123', connected=lambda: print("WAITING"))
except KeyboardInterrupt:
    print("INTERRUPTED", netman.sta_status())
""")
    dev.wait_line("^WAITING$")
    time.sleep(0.3)  # out of the callback, back in the wait (dhcp_ms: 5 s)
    dev.proc.send_signal(signal.SIGINT)
    dev.wait_line("^INTERRUPTED inactive$")


def test_an_application_that_ends_without_stop_leaves_as_a_crashed_device_would(device, air) -> None:
    # The I/O thread is joined before the interpreter's heap goes (the ESP-NOW
    # ring is on it): under the sanitizers (make test-asan) a thread left
    # running would write to freed memory while the flood goes on.
    mac = "02:00:00:00:0e:01"
    app = device("""
import time, netman
from netman import espnow
netman.wait_for_sta(ssid='home', psk='secret123')
e = espnow.ESPNow()
e.active(True)
print("READY")
time.sleep_ms(200)
print("EXITING")
""", mac=mac)
    app.wait_line("^READY$")
    air.client.espnow_flood(mac, count=20000, length=250)
    app.wait_line("^EXITING$")
    assert app.wait_exit(10) == 0, app.output
    air.client.wait_for("device_left_air", mac=mac)


def test_a_callback_that_stops_the_network_waits_until_start_is_done(device) -> None:
    # ap_started comes while start() still brings ESP-NOW up (its first import
    # is slow); delivered then, its stop() would leave start() half done.
    script = """
import netman

def stopper(*args):
    netman.stop()

netman.start(ap=dict(ssid="own-ap", psk="ap-password", ap_started=stopper), espnow=dict(rxbuf=600))
print("STARTED")
import time
time.sleep_ms(100)
print("STATUS", netman.sta_status(), netman.stats()["callbacks_raised"])
"""
    for i in range(8):  # a fresh interpreter each time: the import is slow again
        dev = device(script, name=f"starter{i}")
        dev.wait_line("^STARTED$")
        dev.wait_line("^STATUS inactive 0$")
        assert dev.wait_exit(10) == 0, dev.output


def test_a_recv_callback_that_stops_the_network_ends_the_burst_quietly(device, air) -> None:
    mac = "02:00:00:00:0e:02"
    dev = device("""
import time, netman

def recv(mac, msg):
    netman.stop()

netman.start(sta=dict(ssid='home', psk='secret123'), espnow=dict(rxbuf=4096, recv=recv))
print("READY")
time.sleep_ms(500)
print("STATUS", netman.sta_status())
""", mac=mac)
    dev.wait_line("^READY$")
    air.client.espnow_flood(mac, count=10)
    dev.wait_line("^STATUS inactive$")
    assert "Traceback" not in dev.output, dev.output


def test_a_done_scan_whose_result_waits_for_its_caller_is_not_taken_by_another(probe) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', managed=True, "
                "scan_done=lambda r: print('SCAN_DONE', getattr(r, 'reason', None) or r[0])))")
    # Delivery held (as while a netman call runs): the first scan ends, its result waits.
    dev.run("import _netman; _netman.hold(True); netman.wifi_scan(dwell=20)")
    deadline = time.monotonic() + 10
    while dev.value("_netman.scan_state()") != "'ok'":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert dev.error("netman.wifi_scan(dwell=20)")[:2] == ["NetError", "busy"]
    dev.run("_netman.hold(False)")
    dev.process.wait_line("^SCAN_DONE 1$")  # the first caller gets its own result
    dev.run("netman.wifi_scan(dwell=20)")  # and the next scan may start
    dev.process.wait_line("^SCAN_DONE 1$", start=dev.mark() - 1)


def test_a_blocking_scan_given_up_leaves_the_next_scan_free(device) -> None:
    dev = device("""
import time, netman
netman.start(sta=dict(ssid='home', psk='secret123', managed=True))
try:
    print("SCANNING")
    netman.wifi_scan(passive=True, dwell=200)
except KeyboardInterrupt:
    print("INTERRUPTED")
while True:  # busy while the given-up scan still runs in the radio, then free
    try:
        found, networks = netman.wifi_scan(dwell=20)
        break
    except netman.NetError as error:
        assert error.reason == "busy", error.reason
        time.sleep_ms(100)
print("SCANNED", found)
""")
    dev.wait_line("^SCANNING$")
    time.sleep(0.3)
    dev.proc.send_signal(signal.SIGINT)
    dev.wait_line("^INTERRUPTED$")
    dev.wait_line("^SCANNED 1$", timeout=30)
