"""netsim on its own: the wire protocol's error handling, scenario
validation, the control socket and scripted events."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from netsim import protocol as p
from netsim.control import ControlError


def connect(air) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(air.path)
    return sock


def read_frame(sock: socket.socket) -> bytes:
    data = b""
    while len(data) < 4:
        chunk = sock.recv(4 - len(data))
        assert chunk, "connection closed before a frame"
        data += chunk
    (length,) = struct.unpack(">I", data)
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return body


def hello(mac: bytes = bytes(6), version: int = p.VERSION) -> bytes:
    return p.Writer(p.HELLO).u8(version).raw(mac).string(b"raw").frame()


def expect_error_and_close(sock: socket.socket, code: int) -> str:
    body = read_frame(sock)
    assert body[0] == p.ERROR
    assert body[1] == code
    message = body[3:3 + body[2]].decode()
    assert sock.recv(1) == b""  # the air hung up on the bad peer
    return message


BAD_FRAMES = {
    "zero length": (struct.pack(">I", 0), p.ERR_BAD_FRAME),
    "oversized length": (struct.pack(">I", 1 << 30), p.ERR_BAD_FRAME),
    "first frame not hello": (p.Writer(p.STA_DISCONNECT).frame(), p.ERR_NOT_HELLO),
    "truncated hello": (p.Writer(p.HELLO).u8(1).raw(b"\x00\x00").frame(), p.ERR_BAD_FRAME),
    "wrong version": (hello(version=99), p.ERR_BAD_VERSION),
}


@pytest.mark.parametrize("name", BAD_FRAMES)
def test_bad_frame_before_hello_is_rejected_and_air_survives(air, probe, name: str) -> None:
    frame, code = BAD_FRAMES[name]
    with connect(air) as sock:
        sock.sendall(frame)
        expect_error_and_close(sock, code)
    assert air.proc.poll() is None
    probe().wait_event("got_ip")  # a real device is still served


AFTER_HELLO = {
    "unknown type": (p.Writer(0x55).frame(), p.ERR_UNKNOWN_TYPE),
    "connect with missing fields": (p.Writer(p.STA_CONNECT).string(b"home").frame(), p.ERR_BAD_FRAME),
    "disconnect with extra bytes": (p.Writer(p.STA_DISCONNECT).u8(7).frame(), p.ERR_BAD_FRAME),
    "string past the end": (p.Writer(p.STA_CONNECT).u8(200).raw(b"abc").frame(), p.ERR_BAD_FRAME),
}


@pytest.mark.parametrize("name", AFTER_HELLO)
def test_bad_frame_after_hello_is_rejected_and_the_device_removed(air, name: str) -> None:
    frame, code = AFTER_HELLO[name]
    with connect(air) as sock:
        sock.sendall(hello(b"\x02\x00\x00\x00\x00\x09"))
        assert read_frame(sock)[0] == p.WELCOME
        assert read_frame(sock) == bytes([p.RADIO_CHANNEL, 1])  # where its radio idles
        sock.sendall(frame)
        expect_error_and_close(sock, code)
    air.client.wait_for("device_left_air", mac="02:00:00:00:00:09")
    assert air.client.status()["devices"] == []


def test_peer_vanishing_mid_frame_is_harmless(air, probe) -> None:
    with connect(air) as sock:
        sock.sendall(struct.pack(">I", 100) + b"\x01\x01")
    probe().wait_event("got_ip")
    assert air.proc.poll() is None


def run_netsim(tmp_path: Path, toml: str) -> subprocess.CompletedProcess[str]:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(toml)
    return subprocess.run([sys.executable, "-m", "netsim", "--air", str(tmp_path / "a.sock"), "--scenario", str(scenario)],
                          cwd=REPO / "tools", capture_output=True, text=True, timeout=30)


BAD_SCENARIOS = {
    "channel": ('[[ap]]\nssid = "x"\nchannel = 15\n', "channel must be 1 to 14"),
    "short psk": ('[[ap]]\nssid = "x"\npsk = "short"\n', "psk must be 8 to 64"),
    "authmode": ('[[ap]]\nssid = "x"\npsk = "secret123"\nauthmode = "wpa9"\n', "authmode must be one of"),
    "open with psk": ('[[ap]]\nssid = "x"\npsk = "secret123"\nauthmode = "open"\n', "an open or wpa2_enterprise AP has no psk"),
    "enterprise with psk": ('[[ap]]\nssid = "x"\npsk = "secret123"\nauthmode = "wpa2_enterprise"\n',
                            "an open or wpa2_enterprise AP has no psk"),
    "enterprise account": ('[[ap]]\nssid = "x"\nauthmode = "wpa2_enterprise"\naccounts = [{username = "a"}]\n',
                           "an account is {username, password} or {identity, client_cert}"),
    "enterprise method": ('[[ap]]\nssid = "x"\nauthmode = "wpa2_enterprise"\neap_methods = ["leap"]\n',
                          "eap_methods must be a list of peap, ttls, tls"),
    "enterprise ca": ('[[ap]]\nssid = "x"\nauthmode = "wpa2_enterprise"\nca_cert = "abc"\n', "ca_cert is a SHA-256"),
    "beacon interval": ('[[ap]]\nssid = "x"\nbeacon_interval = 5\n', "beacon_interval must be 10 to 10000"),
    "unknown ap key": ('[[ap]]\nssid = "x"\ncolour = "red"\n', "unknown key(s) colour"),
    "pool off loopback": ('[dhcp]\nnetwork = "192.168.1.0/24"\n', "inside 127.0.0.0/8"),
    "duplicate ssid without bssids": ('[[ap]]\nssid = "x"\n[[ap]]\nssid = "x"\n', "share a BSSID"),
    "unknown action": ('[[event]]\nat_ms = 5\naction = "explode"\n', "unknown action 'explode'"),
    "action args": ('[[event]]\nat_ms = 5\naction = "ap_down"\n', "missing a required argument"),
    "bad toml": ("[[ap]\n", "Expected"),
    "unknown table": ("[radio]\nx = 1\n", "unknown table(s) radio"),
    "bad bssid": ('[[ap]]\nssid = "x"\nbssid = "zz"\n', "not a MAC address"),
}


@pytest.mark.parametrize("name", BAD_SCENARIOS)
def test_bad_scenario_is_refused_with_a_message(tmp_path: Path, name: str) -> None:
    toml, words = BAD_SCENARIOS[name]
    result = run_netsim(tmp_path, toml)
    assert result.returncode == 2
    assert words in result.stderr


def test_control_rejects_unknown_ops_and_bad_arguments(air) -> None:
    with pytest.raises(ControlError, match="unknown action 'fly'"):
        air.client.call("fly")
    with pytest.raises(ControlError, match="no AP with ssid 'ghost'"):
        air.client.ap_down("ghost")
    with pytest.raises(ControlError, match="unexpected keyword"):
        air.client.call("ap_down", ssid="home", colour="red")
    with pytest.raises(ControlError, match="rssi must be"):
        air.client.set_rssi("home", 30)
    assert air.proc.poll() is None


def test_control_add_and_remove_ap(air, probe) -> None:
    air.client.add_ap("attic", psk="attic-pass", channel=11, rssi=-70)
    ap = {a["ssid"]: a for a in air.client.status()["aps"]}["attic"]
    assert (ap["channel"], ap["rssi"], ap["authmode"]) == (11, -70, "wpa2_psk")
    dev = probe("netman.start(sta=dict(ssid='attic', psk='attic-pass', **CB))")
    dev.wait_event("got_ip")
    air.client.remove_ap("attic")
    dev.wait_event("disconnected")
    assert "attic" not in {a["ssid"] for a in air.client.status()["aps"]}


def test_set_psk_sends_stations_away_and_old_psk_fails(air, probe) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', connected=CB['connected'], got_ip=CB['got_ip']))")
    dev.wait_event("got_ip")
    air.client.set_psk("home", "another-secret")
    air.client.wait_for("sta_disconnected", reason="auth_failed", timeout=5)
    assert "another-secret" not in air.output


def test_dhcp_failure_leaves_station_associated_without_address(air, probe) -> None:
    air.client.dhcp_fail(True)
    dev = probe()
    dev.wait_event("connected")
    air.client.wait_for("dhcp_no_offer")
    time.sleep(0.2)
    assert dev.value("netman.sta_status()") == "'associated'"
    assert [e.split()[1] for e in dev.events()] == ["connected"]


@pytest.mark.scenario("""
[[ap]]
ssid = "home"
psk = "secret123"

[[event]]
at_ms = 1500
action = "deauth"
ssid = "home"
""")
def test_scripted_event_fires(air, probe) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    dev.wait_event("disconnected", timeout=5)
    entry = air.client.history("deauth")[0]
    assert entry["t_ms"] >= 1500


def test_ap_stop_ends_the_devices_ap_and_keeps_it_on_the_air(air) -> None:
    with connect(air) as sock:
        sock.sendall(hello(b"\x02\x00\x00\x00\x00\x0a"))
        assert read_frame(sock)[0] == p.WELCOME
        assert read_frame(sock) == bytes([p.RADIO_CHANNEL, 1])  # where its radio idles
        start = p.Writer(p.AP_START).string(b"stopme").string(b"").u8(3).u8(0).u8(4).frame()
        sock.sendall(start)
        assert read_frame(sock)[0] == p.AP_STARTED
        sock.sendall(p.Writer(p.AP_STOP).frame())
        air.client.wait_for("ap_stopped", ssid="stopme")
        status = air.client.status()
        assert "stopme" not in [ap["ssid"] for ap in status["aps"]]
        assert [d["mac"] for d in status["devices"]] == ["02:00:00:00:00:0a"]
        sock.sendall(start)  # and it can start again
        assert read_frame(sock)[0] == p.AP_STARTED
        sock.sendall(p.Writer(p.AP_STOP).u8(1).frame())
        expect_error_and_close(sock, p.ERR_BAD_FRAME)


@pytest.mark.scenario("""
[espnow]
channel = 4
""")
def test_set_channel_moves_the_idle_radio_and_its_ap(air) -> None:
    with connect(air) as sock:
        sock.sendall(hello(b"\x02\x00\x00\x00\x00\x0b"))
        assert read_frame(sock)[0] == p.WELCOME
        assert read_frame(sock) == bytes([p.RADIO_CHANNEL, 4])  # the scenario's [espnow] channel
        sock.sendall(p.Writer(p.AP_START).string(b"mover").string(b"").u8(3).u8(0).u8(4).frame())
        assert read_frame(sock)[0] == p.AP_STARTED
        sock.sendall(p.Writer(p.SET_CHANNEL).u8(9).frame())
        assert read_frame(sock) == bytes([p.AP_CHANNEL, 9])  # one radio: the AP moves along
        assert read_frame(sock) == bytes([p.RADIO_CHANNEL, 9])
        assert {a["ssid"]: a for a in air.client.status()["aps"]}["mover"]["channel"] == 9
        sock.sendall(p.Writer(p.SET_CHANNEL).u8(14).frame())  # beyond 1-13 (no country set)
        expect_error_and_close(sock, p.ERR_BAD_FRAME)
