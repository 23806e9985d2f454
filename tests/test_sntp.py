"""SNTP against a real NTP server (chrony, on 127.0.0.1), and against servers
that are absent or answer rubbish."""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Iterator

import pytest

from conftest import Probe, free_udp_port

STA = "sta=dict(ssid='home', psk='secret123', **CB)"
SYNC_CB = """
def synced(tv):
    print('SYNC', tv[0], tv[1])
"""


def syncs(dev: Probe) -> list[float]:
    return [int(line.split()[1]) + int(line.split()[2]) / 1e6
            for line in dev.process.lines if line.startswith("SYNC ")]


def test_synchronizes_with_a_real_ntp_server(probe, ntp_server: int) -> None:
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': {ntp_server}, "
                "'synchronized': synced})")
    dev.process.wait_line("^SYNC ")
    # chrony serves this machine's clock: the time reported is the server's.
    assert abs(syncs(dev)[0] - time.time()) < 2
    status = eval(dev.value("netman.sntp_status()"))
    assert status["synced"] is True and status["syncs"] == 1 and status["error"] is None
    assert abs(status["offset_ms"]) < 1000
    assert status["server"] == f"127.0.0.1:{ntp_server}"
    assert status["last_sync_ms"] < 5000


def test_host_names_work_and_the_plain_string_form(probe, ntp_server: int) -> None:
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': 'localhost', 'port': {ntp_server}, "
                "'synchronized': synced})")
    dev.process.wait_line("^SYNC ")
    # AtomVM's first manual: sntp="host" (port 123).
    dev.run("netman.stop()")
    dev.run(f"netman.start({STA}, sntp='localhost')")
    assert eval(dev.value("netman.sntp_status()"))["server"] == "localhost:123"


def test_resyncs_periodically(probe, ntp_server: int) -> None:
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': {ntp_server}, "
                "'synchronized': synced, 'sync_interval': 1})")
    deadline = time.monotonic() + 10
    while len(syncs(dev)) < 3:
        assert time.monotonic() < deadline, dev.process.output
        time.sleep(0.05)
    times = syncs(dev)
    assert len(times) >= 3
    assert all(0.8 < b - a < 3 for a, b in zip(times, times[1:]))


def test_syncs_only_with_an_address_and_again_after_every_reconnect(probe, air, ntp_server: int) -> None:
    dev = probe(SYNC_CB + f"netman.start(sta=dict(ssid='home', psk='secret123', managed=True, "
                f"connected=CB['connected'], got_ip=CB['got_ip']), sntp={{'host': '127.0.0.1', "
                f"'port': {ntp_server}, 'synchronized': synced}})")
    time.sleep(0.5)
    assert syncs(dev) == []
    assert eval(dev.value("netman.sntp_status()"))["synced"] is False
    dev.run("netman.sta_connect()")
    dev.process.wait_line("^SYNC ")
    mark = dev.mark()
    air.client.deauth("home")  # no disconnected callback: it reconnects by itself
    dev.wait_event("got_ip", start=mark)
    dev.process.wait_line("^SYNC ", start=mark)
    assert eval(dev.value("netman.sntp_status()"))["syncs"] == 2


def test_sta_connect_can_replace_the_sntp_section(probe, ntp_server: int) -> None:
    dev = probe(SYNC_CB + "netman.start(sta=dict(ssid='home', psk='secret123', managed=True), "
                "sntp={'host': '127.0.0.1', 'port': 9})")
    dev.run(f"netman.sta_connect({{'sntp': {{'host': '127.0.0.1', 'port': {ntp_server}, 'synchronized': synced}}}})")
    dev.process.wait_line("^SYNC ")


@pytest.fixture
def fake_ntp() -> Iterator[Callable[[Callable[[bytes], bytes | None]], int]]:
    """fake_ntp(answer): a UDP server on 127.0.0.1 answering each request with
    answer(request) (None: stay silent); returns its port."""
    sockets: list[socket.socket] = []

    def serve(answer: Callable[[bytes], bytes | None]) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)

        def loop() -> None:
            while True:
                try:
                    request, peer = sock.recvfrom(512)
                except OSError:
                    return
                reply = answer(request)
                if reply is not None:
                    sock.sendto(reply, peer)

        threading.Thread(target=loop, daemon=True).start()
        port: int = sock.getsockname()[1]
        return port

    yield serve
    for sock in sockets:
        sock.close()


def wrong_originate(request: bytes) -> bytes:
    reply = bytearray(48)
    reply[0], reply[1] = 0x24, 2
    reply[24:32] = bytes(8)  # not the request's transmit time
    reply[40:48] = request[40:48]
    return bytes(reply)


def kiss_of_death(request: bytes) -> bytes:
    reply = bytearray(48)
    reply[0], reply[1] = 0x24, 0  # stratum 0
    reply[24:32] = request[40:48]
    reply[32:48] = request[40:48] * 2
    return bytes(reply)


NTP_UNIX_EPOCH = 2208988800


def ntp_stamp(unix_time: float) -> bytes:
    """An NTP timestamp; from 2036-02-07 on, era 1 (the seconds wrap)."""
    seconds = int(unix_time) + NTP_UNIX_EPOCH
    fraction = int((unix_time % 1) * 2**32)
    return ((seconds % 2**32) << 32 | fraction).to_bytes(8, "big")


def server_reply(request: bytes, receive: bytes, transmit: bytes) -> bytes:
    reply = bytearray(48)
    reply[0], reply[1] = 0x24, 2  # version 4, server, stratum 2
    reply[24:32] = request[40:48]  # originate: our transmit time
    reply[32:40], reply[40:48] = receive, transmit
    return bytes(reply)


def clock_off_by(seconds: float) -> Callable[[bytes], bytes]:
    """A server whose clock is `seconds` ahead of this machine's."""
    def answer(request: bytes) -> bytes:
        now = ntp_stamp(time.time() + seconds)
        return server_reply(request, now, now)
    return answer


def bad_transmit(stamp: bytes) -> Callable[[bytes], bytes]:
    return lambda request: server_reply(request, ntp_stamp(time.time()), stamp)


@pytest.mark.parametrize("ahead_s", [30 * 86400, -30 * 86400, 40 * 365 * 86400, -int(time.time() - 1704067200) + 3600],
                         ids=["30-days-ahead", "30-days-behind", "40-years-ahead-era-1", "since-2024"])
def test_large_offsets_are_reported_exactly(probe, fake_ntp, ahead_s: int) -> None:
    # A board's first sync after boot is years off: nothing may overflow.
    port = fake_ntp(clock_off_by(ahead_s))
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': {port}, "
                "'synchronized': synced})")
    dev.process.wait_line("^SYNC ")
    assert abs(syncs(dev)[0] - (time.time() + ahead_s)) < 2
    status = eval(dev.value("netman.sntp_status()"))
    assert abs(status["offset_ms"] - ahead_s * 1000) < 2000, status


@pytest.mark.parametrize("answer", [lambda r: b"\x00" * 10, lambda r: b"rubbish" * 10, wrong_originate,
                                    kiss_of_death, bad_transmit(b"\xff" * 8), bad_transmit(bytes(8)),
                                    bad_transmit(ntp_stamp(1_000_000_000)),
                                    bad_transmit(ntp_stamp(time.time() - 3600))],
                         ids=["short", "rubbish", "wrong-originate", "kiss-of-death", "transmit-all-ones",
                              "transmit-zero", "transmit-in-2001", "transmit-before-receive"])
def test_garbage_replies_give_no_time(probe, fake_ntp, answer: Callable[[bytes], bytes]) -> None:
    port = fake_ntp(answer)
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': {port}, "
                "'synchronized': synced})")
    dev.wait_event("got_ip")
    deadline = time.monotonic() + 5
    while eval(dev.value("netman.sntp_status()"))["failures"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    status = eval(dev.value("netman.sntp_status()"))
    assert (status["synced"], status["error"]) == (False, "bad_reply")
    assert syncs(dev) == []


def test_silent_or_absent_server_times_out(probe, fake_ntp) -> None:
    silent = fake_ntp(lambda request: None)
    absent = free_udp_port()
    for port in (silent, absent):
        dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': {port}, "
                    "'synchronized': synced})", name=f"dev{port}")
        deadline = time.monotonic() + 6
        while eval(dev.value("netman.sntp_status()"))["failures"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status = eval(dev.value("netman.sntp_status()"))
        assert (status["synced"], status["error"]) == (False, "timeout")
        assert syncs(dev) == []
        assert dev.value("netman.sta_status()") == "'connected'"  # nothing else suffers


def test_no_host_means_the_server_dhcp_names(probe) -> None:
    # The host build's air names no NTP server in its leases: no_server,
    # retried; the status says where the server would come from.
    dev = probe(SYNC_CB + f"netman.start({STA}, sntp={{'synchronized': synced}})")
    deadline = time.monotonic() + 6
    while eval(dev.value("netman.sntp_status()"))["failures"] < 1:
        assert time.monotonic() < deadline, dev.process.output
        time.sleep(0.05)
    status = eval(dev.value("netman.sntp_status()"))
    assert (status["synced"], status["error"], status["server"]) == (False, "no_server", "dhcp:123")
    assert syncs(dev) == []


BAD_SNTP = [
    ("netman.start(sntp={'host': '127.0.0.1'})", "ValueError", ["'sntp'", "needs the 'sta' section"]),
    (f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'port': 0}})", "ValueError", ["'port'", "1 to 65535"]),
    (f"netman.start({STA}, sntp={{'host': '127.0.0.1', 'sync_interval': 0}})", "ValueError", ["'sync_interval'"]),
    (f"netman.start({STA}, sntp={{'hots': '127.0.0.1'}})", "ValueError", ["did you mean 'host'"]),
    (f"netman.start({STA}, sntp={{'host': ''}})", "ValueError", ["'host'", "1 to 64"]),
    (f"netman.start({STA}, sntp={{'host': 'a b'}})", "ValueError", ["'host'"]),
    (f"netman.start({STA}, sntp={{'host': 'x', 'synchronized': 3}})", "TypeError", ["'synchronized'", "callable"]),
    (f"netman.start({STA}, sntp=5)", "TypeError", ["sntp"]),
]


@pytest.mark.parametrize("call,kind,words", BAD_SNTP, ids=[c[0][13:70] for c in BAD_SNTP])
def test_bad_sntp_config(probe, air, call: str, kind: str, words: list[str]) -> None:
    dev = probe("")
    dev.rejects(call, kind, words)
    assert air.client.history("device_joined_air") == []
