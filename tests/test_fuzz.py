"""The fuzz stage: fixed seeds, fixed sizes (about a minute in all).

- Random public-API sequences with hostile arguments (tests/fuzz_api.py on
  the device) while this side injects faults into the air.
- Hostile frames from a fake air to the device, the device polling the API.
- Hostile frames from a fake device to netsim.

The oracle: no crash, no hang, only documented exceptions, no secret in any
output. Under `make test-asan` the same runs are watched by the sanitizers."""

from __future__ import annotations

import ast
import random
import socket
import struct
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO
from fake_air import FakeAir, env, frame, read_frame
from netsim import protocol as p
from netsim.control import AirClient, ControlError

SECRET = "FuzzSecret#7319Q"  # 16 characters: a PSK, an LMK and a PMK
DEVICE_MAC = "02:f0:00:00:00:01"


def documented_reasons() -> list[str]:
    """NetError reasons as stubs/netman documents them (the Reason literal)."""
    tree = ast.parse((REPO / "stubs" / "netman" / "__init__.pyi").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "Reason":
            return [elt.value for elt in node.value.slice.elts]  # type: ignore[attr-defined]
    raise AssertionError("no Reason in stubs/netman/__init__.pyi")


FUZZ_AIR = f"""
[air]
connect_ms = 10
dhcp_ms = 10
no_ap_ms = 60
auth_fail_ms = 30
beacon_timeout_ms = 40
scan_empty_channel_ms = 5

[[ap]]
ssid = "home"
psk = "{SECRET}"
channel = 6

[[ap]]
ssid = "other"
channel = 11
"""


def reported_exceptions(lines: list[str]) -> list[str]:
    """The exception line that ends every traceback in the output."""
    found, inside = [], False
    for line in lines:
        if line == "Traceback (most recent call last):":
            inside = True
        elif inside and not line.startswith("  "):
            found.append(line)
            inside = False
    return found


class FaultInjector(threading.Thread):
    """Random faults on the air's control socket until stopped."""

    def __init__(self, control_path: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.client = AirClient(control_path)
        self.random = random.Random(seed)
        self.done = threading.Event()
        self.faults = 0

    def fault(self) -> None:
        r = self.random
        ssid = r.choice(["home", "other"])
        action = r.choice(["ap_down", "ap_up", "ap_up", "deauth", "beacon_loss", "set_rssi", "dhcp_fail",
                           "dhcp_fail", "espnow_flood", "set_espnow", "add_ap", "remove_ap"])
        args: dict[str, object] = {"ssid": ssid}
        if action == "beacon_loss":
            args["count"] = r.choice([1, 5, 40])
        elif action == "set_rssi":
            args["rssi"] = r.randint(-95, -30)
        elif action == "dhcp_fail":
            args = {"enabled": r.random() < 0.3}
        elif action == "espnow_flood":
            args = {"dst": DEVICE_MAC, "count": r.choice([5, 50]), "length": r.choice([4, 250])}
        elif action == "set_espnow":
            args = {"loss": r.choice([0.0, 0.5])}
        elif action in ("add_ap", "remove_ap"):
            args = {"ssid": "fuzz-ap"}
        try:
            self.client.call(action, **args)
            self.faults += 1
        except ControlError:
            pass  # e.g. the device is not on the air right now, or no such AP

    def run(self) -> None:
        while not self.done.wait(self.random.uniform(0.02, 0.12)):
            self.fault()
        self.client.call("dhcp_fail", enabled=False)
        self.client.close()


@pytest.mark.scenario(FUZZ_AIR)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_api_calls_under_air_faults(device, air, tmp_path: Path, seed: int) -> None:
    calls = 800
    header = f"SEED = {seed}\nCALLS = {calls}\nSECRET = {SECRET!r}\nREASONS = {documented_reasons()!r}\n"
    script = header + (REPO / "tests" / "fuzz_api.py").read_text()
    injector = FaultInjector(air.control_path, seed)
    dev = device(script, name=f"fuzz{seed}", mac=DEVICE_MAC, env={"NETMAN_NVS": str(tmp_path / "fuzz.nvs")})
    injector.start()
    try:
        # No hang: every call ends (the slowest legal one is a short scan or wait).
        for i in range(1, calls):
            dev.wait_line(rf"^C {i} ", timeout=20)
        summary = dev.wait_line(r"^FUZZ DONE ", timeout=20).string
    finally:
        injector.done.set()
        injector.join(10)
    assert dev.wait_exit(10) == 0, dev.output  # no crash
    anomalies = [line for line in dev.lines if line.startswith("BAD ")]
    assert anomalies == [], "\n".join(anomalies)
    # A callback's exception is reported with its traceback; only the fuzz's own may appear.
    assert set(reported_exceptions(dev.lines)) <= {"ValueError: fuzz callback raised on purpose"}, dev.output
    assert "bad=0" in summary
    assert SECRET not in dev.output and SECRET not in air.output
    assert injector.faults > 0


# ---- hostile frames from a fake air ------------------------------------------

AIR_TO_DEVICE = [p.STA_CONNECTED, p.STA_GOT_IP, p.STA_DISCONNECTED, p.STA_BEACON_TIMEOUT, p.STA_RSSI,
                 p.SCAN_RESULT, p.SCAN_DONE, p.STA_CHANNEL, p.MDNS_NAME, p.ESPNOW_RX, p.ESPNOW_SENT,
                 p.AP_STARTED, p.AP_FAILED, p.AP_CHANNEL, p.AP_STA_CONNECTED, p.AP_STA_DISCONNECTED,
                 p.AP_STA_IP_ASSIGNED, p.ERROR, p.WELCOME]


def edge_byte(r: random.Random) -> bytes:
    return bytes([r.choice([0, 1, 2, 3, 6, 7, 9, 11, 13, 14, 99, 127, 128, 200, 254, 255])])


def string(r: random.Random) -> bytes:
    data = r.choice([b"", b"home", b"\xff" * 32, b"x" * 33, b"caf\xe9", bytes(r.randrange(256) for _ in range(40))])
    return bytes([len(data) if r.random() < 0.9 else r.randrange(256)]) + data


def mac(r: random.Random) -> bytes:
    return r.choice([b"\x02\xaa\x00\x00\x00\x01", b"\xff" * 6, bytes(6), b"\x01\x00\x5e\x00\x00\x01"])


def ipv4(r: random.Random) -> bytes:
    return r.choice([b"\x7f\x4d\x00\x0a", bytes(4), b"\xff" * 4, b"\xe0\x00\x00\xfb", b"\x7f\x4d\x00\xff"])


BODIES = {
    p.STA_CONNECTED: lambda r: mac(r) + edge_byte(r) + edge_byte(r) + edge_byte(r) + string(r),
    p.STA_GOT_IP: lambda r: ipv4(r) + r.choice([b"\xff\xff\xff\x00", bytes(4), b"\xff\x00\xff\x00"]) + ipv4(r) * 2,
    p.STA_DISCONNECTED: edge_byte, p.STA_RSSI: edge_byte, p.SCAN_DONE: edge_byte, p.STA_CHANNEL: edge_byte,
    p.AP_FAILED: edge_byte, p.AP_CHANNEL: edge_byte, p.ESPNOW_SENT: edge_byte,
    p.SCAN_RESULT: lambda r: mac(r) + edge_byte(r) + edge_byte(r) + edge_byte(r) + edge_byte(r) + string(r),
    p.MDNS_NAME: lambda r: struct.pack(">H", r.choice([0, 1, 2, 65535])),
    p.ESPNOW_RX: lambda r: mac(r) + edge_byte(r) + edge_byte(r) + bytes(8) + string(r),
    p.AP_STARTED: lambda r: ipv4(r) + b"\xff\xff\xff\x00" + edge_byte(r),
    p.AP_STA_CONNECTED: lambda r: mac(r) + edge_byte(r),
    p.AP_STA_DISCONNECTED: mac,
    p.AP_STA_IP_ASSIGNED: lambda r: mac(r) + ipv4(r),
    p.ERROR: lambda r: edge_byte(r) + string(r),
    p.WELCOME: lambda r: edge_byte(r) + mac(r),
}


def hostile_frame(r: random.Random) -> bytes:
    kind = r.choice(AIR_TO_DEVICE + [0x00, 0x55, 0x9f, 0xfe])
    body = BODIES[kind](r) if kind in BODIES else bytes(r.randrange(256) for _ in range(r.randrange(8)))
    roll = r.random()
    if roll < 0.1 and body:
        body = body[:r.randrange(len(body))]  # truncated
    elif roll < 0.2:
        body += bytes(r.randrange(1, 4))  # extra bytes
    return frame(kind, body)


POLLER = f"""
import netman, time
from netman import espnow

def quiet(*args):
    pass

CB = dict(connected=quiet, disconnected=quiet, got_ip=quiet, beacon_timeout=quiet, scan_done=quiet)
AP_CB = dict(ap_started=quiet, sta_connected=quiet, sta_disconnected=quiet, sta_ip_assigned=quiet)
STATUSES = ("inactive", "disconnected", "connecting", "associated", "connected", "degraded", "disconnecting")
for round_ in range(ROUNDS):
    netman.start(sta=dict(ssid="home", psk={SECRET!r}, **CB), ap=dict(ssid="own", psk={SECRET!r}, **AP_CB),
                 sntp=dict(host="127.0.0.1", port=9), mdns=dict(hostname="fuzz"))
    e = espnow.ESPNow()
    e.active(True)
    e.add_peer(b"\\x02\\xaa\\x00\\x00\\x00\\x01", {SECRET!r})
    for i in range(40):
        try:
            netman.wifi_scan(dwell=5)  # scan_done callback: returns at once
        except netman.NetError as error:
            assert error.reason in ("busy", "no_radio", "not_started"), error.reason
        assert netman.sta_status() in STATUSES
        info = netman.info()
        assert info["ap"] is None or isinstance(info["ap"]["ssid"], (str, bytes))
        for value in netman.stats().values():
            assert isinstance(value, (int, dict))
        netman.ap_stations(), netman.mdns_status(), netman.sntp_status()
        while e.irecv(0)[0] is not None:
            pass
        e.any(), e.stats(), e.peers_table
        time.sleep_ms(5)
    netman.stop()
    print("ROUND", round_, "done")
print("POLLER DONE")
"""


@pytest.mark.parametrize("seed", [11, 12])
def test_hostile_frames_from_a_fake_air(device, tmp_path: Path, seed: int) -> None:
    rounds, per_round = 6, 150
    air = FakeAir(tmp_path)
    r = random.Random(seed)
    try:
        dev = device(f"ROUNDS = {rounds}\n" + POLLER, name=f"frames{seed}", air=None, env=env(air))
        for round_ in range(rounds):
            sock = air.device(round_)
            frames = b"".join(hostile_frame(r) for _ in range(per_round))
            if round_ == rounds - 1:
                frames += struct.pack(">I", r.choice([0, 5000, 1 << 31]))  # a length no frame has
            try:
                sock.sendall(frames)
            except OSError:
                pass  # the device hung up on a frame it could not trust
            dev.wait_line(rf"^ROUND {round_} done$", timeout=20)
        dev.wait_line("^POLLER DONE$", timeout=10)
        assert dev.wait_exit(10) == 0, dev.output
        assert reported_exceptions(dev.lines) == [], dev.output
        assert SECRET not in dev.output
    finally:
        air.close()


# ---- hostile frames from a fake device to netsim --------------------------------

DEVICE_TO_AIR = [p.HELLO, p.BYE, p.STA_CONNECT, p.STA_DISCONNECT, p.SCAN, p.AP_START, p.MDNS_CLAIM,
                 p.MDNS_RELEASE, p.ESPNOW_ACTIVE, p.ESPNOW_SEND]


def test_hostile_frames_from_a_fake_device_to_netsim(air, probe) -> None:
    r = random.Random(21)
    connections = 60
    for i in range(connections):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(air.path)
            sock.sendall(frame(p.HELLO, bytes([p.VERSION]) + bytes([2, 0xee, 0, 0, 0, i]) + b"\x04fuzz"))
            assert read_frame(sock)[0] == p.WELCOME
            for _ in range(r.randrange(1, 30)):
                kind = r.choice(DEVICE_TO_AIR + [0x55])
                body = bytes(r.choice([0, 1, 5, 6, 32, 255, r.randrange(256)]) for _ in range(r.randrange(40)))
                try:
                    sock.sendall(frame(kind, body))
                except OSError:
                    break  # the air hung up on a bad frame, as it should
            if r.random() < 0.2:
                try:
                    sock.sendall(struct.pack(">I", 100) + b"\x10")  # half a frame, then gone
                except OSError:
                    pass
        assert air.proc.poll() is None, air.output
    deadline = time.monotonic() + 10
    while air.client.status()["devices"]:
        assert time.monotonic() < deadline, "the fake devices never left the air"
        time.sleep(0.05)
    assert "Traceback" not in air.output, air.output
    probe().wait_event("got_ip")  # the air still serves a real device
