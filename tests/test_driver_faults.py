"""What a driver really does that the core must survive, on every port: a
scan whose end never comes, a join the driver refuses from driver context,
SSIDs that are not UTF-8, an SNTP client that cannot start."""

from __future__ import annotations

import time

import pytest

from conftest import DEFAULT_SCENARIO, NO_DISCONNECTED_CB, Probe

MANAGED = "netman.start(sta=dict(managed=True, **CB))"


def bound_ms(dwell: int, channels: int = 14) -> int:
    """netman_scan_bound_ms(): twice what the channels should take, plus 3 s."""
    return channels * (dwell + 100) * 2 + 3000


# ---- scans that never end -------------------------------------------------

def test_a_scan_whose_end_never_comes_fails_within_its_bound(probe, air) -> None:
    dev = probe(MANAGED)
    air.client.scan_stall(True)
    started = time.monotonic()
    kind, reason, message = dev.error("netman.wifi_scan(channel=6, dwell=50)")
    waited_ms = (time.monotonic() - started) * 1000
    assert (kind, reason) == ("NetError", "scan_failed")
    assert "bound" in message
    assert waited_ms >= bound_ms(50, 1) - 200, waited_ms
    assert air.client.history("scan_aborted"), "the port told the driver to stop"
    # The next scan is not 'busy', and once the driver behaves it succeeds
    # without a stale end of the old one getting in the way.
    air.client.scan_stall(False)
    found, networks = eval(dev.value("netman.wifi_scan(channel=6, dwell=50)"))
    assert found == 1 and networks[0]["ssid"] == "home"


def test_a_stalled_scan_reaches_a_scan_done_callback(probe, air) -> None:
    dev = probe("netman.start(sta=dict(managed=True, scan_done=lambda r: print('SCAN_DONE', r.reason), **CB))")
    air.client.scan_stall(True)
    assert dev.value("netman.wifi_scan(channel=1, dwell=20)") == "None"
    line = dev.process.wait_line("^SCAN_DONE ", timeout=bound_ms(20, 1) / 1000 + 3).string
    assert line == "SCAN_DONE scan_failed"
    assert dev.value("netman.stats()['events_rejected']") == "0"


def test_a_stalled_asyncio_scan_ends_and_other_tasks_keep_running(probe, air) -> None:
    dev = probe(MANAGED + """
import asyncio
import netman.aio
async def main():
    ticks = [0]
    t = asyncio.create_task(ticker(ticks))
    try:
        await netman.aio.wifi_scan(channel=3, dwell=10)
    except netman.NetError as e:
        print('AIO', e.reason, ticks[0] > 100)
    t.cancel()
""")
    air.client.scan_stall(True)
    dev.run("asyncio.run(main())", timeout=bound_ms(10, 1) / 1000 + 5)
    dev.process.wait_line("^AIO scan_failed True$")


def test_a_full_scan_has_a_bound_from_its_options(probe, air) -> None:
    dev = probe(MANAGED)
    air.client.scan_stall(True)
    started = time.monotonic()
    assert dev.error("netman.wifi_scan(dwell=1)")[1] == "scan_failed"
    waited_ms = (time.monotonic() - started) * 1000
    assert bound_ms(1) - 200 <= waited_ms, waited_ms


# ---- joins the driver refuses ---------------------------------------------

def test_a_refused_reconnect_is_reported_and_tried_again(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict(ssid='home', psk='secret123', {NO_DISCONNECTED_CB}))")
    dev.wait_event("got_ip")
    mac = eval(dev.value("netman.info()['mac']")).hex(":")
    air.client.refuse_joins(2, mac=mac)
    mark = dev.mark()
    air.client.deauth("home")
    # The automatic reconnect is refused twice, each time seen as a
    # disconnect, then it joins; retries are at least a second apart.
    dev.wait_event("got_ip", timeout=15, start=mark)
    reasons = eval(dev.value("netman.stats()['disconnect_reasons']"))
    assert reasons["join_refused"] == 2 and reasons["ap_left"] == 1
    joins = [e["t_ms"] for e in air.client.history("sta_connect", mac=mac)]
    assert joins[-1] - air.client.history("deauth")[-1]["t_ms"] >= 2 * 1000 - 100


def test_a_refused_join_reaches_the_disconnected_callback(probe, air) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB))")
    dev.wait_event("got_ip")
    mac = eval(dev.value("netman.info()['mac']")).hex(":")
    # The application's own join, refused: it is told at once.
    air.client.refuse_joins(1, mac=mac)
    time.sleep(0.2)
    dev.run("netman.sta_disconnect()")
    dev.wait_event("disconnected")
    assert dev.error("netman.sta_connect()")[:2] == ["NetError", "busy"]
    assert dev.value("netman.sta_status()") == "'disconnected'"
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip")


def test_refused_joins_with_backoff_keep_the_backoff(probe, air) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', reconnect={'initial_ms': 3000, "
                f"'max_ms': 3000}}, {NO_DISCONNECTED_CB}))")
    dev.wait_event("got_ip")
    mac = eval(dev.value("netman.info()['mac']")).hex(":")
    air.client.refuse_joins(1, mac=mac)
    mark = dev.mark()
    air.client.deauth("home")
    dev.wait_event("got_ip", timeout=20, start=mark)
    assert eval(dev.value("netman.stats()['disconnect_reasons']"))["join_refused"] == 1
    joins = [e["t_ms"] for e in air.client.history("sta_connect", mac=mac)]
    deauth = air.client.history("deauth")[-1]["t_ms"]
    # Two backoff waits of 1.5-3 s each (equal jitter) before the join that worked.
    assert joins[-1] - deauth >= 3000 - 100


# ---- SSIDs that are not UTF-8 -----------------------------------------------

LATIN1_AIR = DEFAULT_SCENARIO + """
[[ap]]
ssid_hex = "636166e9"   # "café" in Latin-1: not UTF-8
psk = "cafe-pass"
channel = 3
rssi = -40

[[ap]]
ssid_hex = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
channel = 9
rssi = -80
"""


@pytest.mark.scenario(LATIN1_AIR)
def test_scans_report_ssids_that_are_not_utf8_as_data(probe) -> None:
    dev = probe(MANAGED)
    found, networks = eval(dev.value("netman.wifi_scan()"))
    assert found == 3
    by_bytes = {n["ssid_bytes"]: n for n in networks}
    assert by_bytes[b"caf\xe9"]["ssid"] == "caf\ufffd"
    assert by_bytes[b"\xff" * 32]["ssid"] == "\ufffd" * 32
    assert by_bytes[b"home"]["ssid"] == "home"


@pytest.mark.scenario(LATIN1_AIR)
def test_a_network_with_a_non_utf8_ssid_can_be_joined(probe, air) -> None:
    dev = probe("netman.start(sta=dict(ssid=b'caf\\xe9', psk='cafe-pass', **CB))")
    dev.wait_event("got_ip")
    ap = eval(dev.value("netman.info()['ap']"))
    assert ap["ssid_bytes"] == b"caf\xe9" and ap["ssid"] == "caf\ufffd"
    assert air.client.history("sta_associated")[-1]["ssid"] == b"caf\xe9".decode("utf-8", "surrogateescape")


@pytest.mark.scenario(LATIN1_AIR)
def test_roaming_finds_a_known_network_with_a_non_utf8_ssid(probe) -> None:
    dev = probe("netman.start(sta=dict(networks=[(b'caf\\xe9', 'cafe-pass'), ('elsewhere', 'xxxxxxxx')], **CB))")
    dev.wait_event("got_ip")
    assert eval(dev.value("netman.info()['ap']['ssid_bytes']")) == b"caf\xe9"


# ---- SNTP that cannot start ---------------------------------------------------

def test_an_sntp_client_that_cannot_start_says_so_and_starts_later(probe, ntp_server: int) -> None:
    dev = probe("def synced(tv):\n    print('SYNC', tv[0])\n"
                "netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB), "
                f"sntp={{'host': '127.0.0.1', 'port': {ntp_server}, 'synchronized': synced}})")
    # Take every file descriptor the process may have: the client's socket
    # cannot be made when the address comes.
    dev.run("import socket")
    dev.run("held = []")
    dev.run("exec('try:\\n while True: held.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))\\n"
            "except OSError: pass')", timeout=60)
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip")
    deadline = time.monotonic() + 5
    while eval(dev.value("netman.sntp_status()"))["error"] != "start_failed":
        assert time.monotonic() < deadline, dev.value("netman.sntp_status()")
        time.sleep(0.05)
    dev.run("[s.close() for s in held]")
    dev.run("held = None")
    dev.process.wait_line("^SYNC ", timeout=10)
    status = eval(dev.value("netman.sntp_status()"))
    assert status["synced"] and status["error"] is None and status["failures"] >= 1
