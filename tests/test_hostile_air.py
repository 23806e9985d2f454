"""The device against an air that misbehaves (tests/fake_air.py): every wait
on it is bounded and a dead air is `no_radio`; what no radio could say (a
group MAC, station news while there is no station, an address of 0.0.0.0) is
not believed."""

from __future__ import annotations

import os
import socket
import struct
import time
from pathlib import Path
from typing import Iterator

import pytest

from fake_air import FakeAir, env, frame
from netsim import protocol as p


@pytest.fixture
def fake_air(tmp_path: Path) -> Iterator[FakeAir]:
    air = FakeAir(tmp_path)
    yield air
    air.close()


def ipv4(text: str) -> bytes:
    return bytes(int(x) for x in text.split("."))


CONNECTED = frame(p.STA_CONNECTED, b"\x02\xaa\x00\x00\x00\x01" + bytes([6, 3, 0xc8]) + b"\x04home")


def got_ip(address: str) -> bytes:
    return frame(p.STA_GOT_IP, ipv4(address) + ipv4("255.255.255.0") + ipv4("127.77.0.1") * 2)


def test_an_air_that_stops_reading_is_no_radio(probe, fake_air: FakeAir) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB))",
                air=None, env=env(fake_air))
    fake_air.device()  # handshake done; from now on nobody reads what the device sends
    started = time.monotonic()
    # Each join is a frame; the socket's buffer fills and the next send cannot go.
    kind, reason, message = dev.error("[netman.sta_connect() for i in range(100000)]")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "stopped reading" in message
    assert time.monotonic() - started < 8
    dev.wait_event("disconnected")  # the application hears of the lost radio
    assert dev.value("netman.info()['disconnect_reason']") == "'no_radio'"
    started = time.monotonic()
    dev.run("netman.stop()")
    assert time.monotonic() - started < 3
    assert dev.value("netman.sta_status()") == "'inactive'"


def test_an_air_that_accepts_no_connection_is_no_radio(probe, tmp_path: Path) -> None:
    path = str(tmp_path / "full.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(0)  # never accepted: fill its queue
    waiting = []
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.setblocking(False)
        try:
            client.connect(path)
        except BlockingIOError:
            client.close()
            break
        waiting.append(client)
    dev = probe("", air=None, env={"NETMAN_AIR": path})
    started = time.monotonic()
    kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "accepts no more connections" in message
    assert time.monotonic() - started < 6
    assert dev.value("netman.sta_status()") == "'inactive'"
    for client in waiting:
        client.close()
    server.close()


def test_a_half_sent_frame_parks_nothing_and_a_dead_air_is_no_radio(probe, fake_air: FakeAir) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', reconnect={'initial_ms': 200, 'max_ms': 200},"
                " connected=CB['connected'], got_ip=CB['got_ip']))", air=None, env=env(fake_air))
    air = fake_air.device()
    fake_air.frames_until(air, p.STA_CONNECT)
    # The join fails, then the air sends the start of a frame and falls silent.
    air.sendall(frame(p.STA_DISCONNECTED, bytes([p.REASONS["no_ap_found"]])) + struct.pack(">I", 20)[:3])
    # The reconnect timer still fires: the device tries again...
    fake_air.frames_until(air, p.STA_CONNECT)
    # ...and once the frame has waited too long, the air counts as dead.
    started = time.monotonic()
    deadline = started + 8
    while dev.value("netman.info()['disconnect_reason']") != "'no_radio'":
        assert time.monotonic() < deadline, "the dead air was never noticed"
        time.sleep(0.1)
    assert dev.error("netman.sta_connect()")[:2] == ["NetError", "no_radio"]


MACS = {
    "broadcast": (None, b"\xff" * 6),
    "zero": (None, bytes(6)),
    "assigned multicast": (None, b"\x01\x00\x5e\x00\x00\x01"),
    "not the one asked for": ("02:00:00:00:00:01", b"\x02\x00\x00\x00\x00\x02"),
}


@pytest.mark.parametrize("name", MACS)
def test_a_mac_the_device_cannot_have_is_refused_at_the_handshake(probe, tmp_path: Path, name: str) -> None:
    asked, given = MACS[name]
    air = FakeAir(tmp_path, welcome_mac=given)
    try:
        dev = probe("", air=None, env=env(air), mac=asked)
        kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
        assert (kind, reason) == ("NetError", "no_radio")
        assert "MAC" in message
        assert dev.value("netman.sta_status()") == "'inactive'"
    finally:
        air.close()


def test_station_news_while_there_is_no_station_changes_nothing(probe, fake_air: FakeAir) -> None:
    dev = probe("netman.start(ap=dict(ssid='own-ap', psk='ap-password', **AP_CB))", air=None, env=env(fake_air))
    air = fake_air.device()
    fake_air.frames_until(air, p.AP_START)
    air.sendall(frame(p.AP_STARTED, ipv4("127.100.1.1") + ipv4("255.255.255.0") + b"\x01"))
    dev.wait_event("ap_started")
    air.sendall(CONNECTED + got_ip("127.77.0.10") + frame(p.STA_BEACON_TIMEOUT)
                + frame(p.AP_STA_CONNECTED, b"\x02\x00\x00\x00\x00\x07" + b"\xc4"))
    dev.wait_event("sta_connected")  # everything before it has been taken in
    assert dev.value("netman.sta_status()") == "'inactive'"
    assert dev.value("netman.stats()['connects']") == "0"
    assert dev.value("netman.info()['ap']") == "None"


def test_an_address_of_zero_is_not_taken_and_mdns_never_listens_everywhere(probe, fake_air: FakeAir) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB), mdns=dict(hostname='kitchen'))",
                air=None, env=env(fake_air))
    air = fake_air.device()
    fake_air.frames_until(air, p.STA_CONNECT)
    air.sendall(CONNECTED + got_ip("0.0.0.0") + got_ip("127.77.0.255") + got_ip("224.0.0.251"))
    dev.wait_event("connected")
    time.sleep(0.3)
    assert dev.value("netman.sta_status()") == "'associated'"
    assert dev.value("netman.mdns_status()['running']") == "False"
    assert udp_sockets_of(dev.process.proc.pid) == []
    # A real address: the responder runs, on that address only.
    air.sendall(got_ip("127.77.0.10"))
    dev.wait_event("got_ip")
    deadline = time.monotonic() + 5
    while dev.value("netman.mdns_status()['running']") != "True":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert dev.value("netman.mdns_status()['address']") == "'127.77.0.10'"
    assert udp_sockets_of(dev.process.proc.pid) == [("127.77.0.10", 5353)]


def udp_sockets_of(pid: int) -> list[tuple[str, int]]:
    """The (address, port) of every UDP socket the process holds (from /proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    with open("/proc/net/udp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                address, port = fields[1].split(":")
                found.append((socket.inet_ntoa(struct.pack("<I", int(address, 16))), int(port, 16)))
    return found


def test_ap_station_news_with_a_group_mac_is_not_believed(probe, fake_air: FakeAir) -> None:
    dev = probe("netman.start(ap=dict(ssid='own-ap', psk='ap-password', **AP_CB))", air=None, env=env(fake_air))
    air = fake_air.device()
    fake_air.frames_until(air, p.AP_START)
    air.sendall(frame(p.AP_STARTED, ipv4("127.100.1.1") + ipv4("255.255.255.0") + b"\x01")
                + frame(p.AP_STA_CONNECTED, b"\xff" * 6 + b"\xc4")
                + frame(p.AP_STA_CONNECTED, bytes(6) + b"\xc4")
                + frame(p.AP_STA_CONNECTED, b"\x02\x00\x00\x00\x00\x07" + b"\xc4"))
    line = dev.wait_event("sta_connected")
    assert "\\x02\\x00\\x00\\x00\\x00\\x07" in line
    assert len([e for e in dev.events() if e.startswith("EV sta_connected")]) == 1
    assert dev.value("len(netman.ap_stations())") == "1"
