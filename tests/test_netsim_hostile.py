"""netsim against bad requests and long lives: every bad control request
gets an error answer and the air goes on; SSIDs are bytes, not text; leases,
assigned MACs and the history do not run out or grow without bound."""

from __future__ import annotations

import json
import socket

import pytest

from netsim import protocol as p
from netsim.air import HISTORY_MAX, Air, LeasePool
from netsim.control import ControlError
from netsim.scenario import Scenario, parse
from test_netsim import connect, hello, read_frame, run_netsim

BAD_CONTROL = [
    ("add_ap", {"ssid": "x", "channel": 1.5}, "channel must be an integer"),
    ("add_ap", {"ssid": "x", "hidden": "yes"}, "hidden must be true or false"),
    ("add_ap", {"ssid": 5}, "ssid must be a string"),
    ("dhcp_fail", {"enabled": "no"}, "enabled must be true or false"),
    ("deauth", {"ssid": "home", "mac": 5}, "mac must be a string or None"),
    ("set_rssi", {"ssid": "home", "rssi": -50.5}, "rssi must be an integer"),
    ("beacon_loss", {"ssid": "home", "count": True}, "count must be an integer"),
    ("set_espnow", {"loss": "much"}, "loss must be a number or None"),
    ("espnow_flood", {"dst": "02:00:00:00:00:01", "count": 1e3}, "count must be an integer"),
]


@pytest.mark.parametrize("op,args,words", BAD_CONTROL, ids=[f"{b[0]}-{list(b[1])[-1]}" for b in BAD_CONTROL])
def test_bad_argument_types_get_an_error_answer(air, op: str, args: dict, words: str) -> None:
    with pytest.raises(ControlError, match=words):
        air.client.call(op, **args)
    status = air.client.status()
    assert status["dhcp_failing"] is False
    assert [a["ssid"] for a in status["aps"]] == ["home"]


def test_the_air_keeps_serving_after_bad_requests(air, probe) -> None:
    for op, args, _ in BAD_CONTROL:
        with pytest.raises(ControlError):
            air.client.call(op, **args)
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB))")
    # The scan and join tasks run, so the device's scan ends and it joins.
    assert "'home'" in dev.value("[n['ssid'] for n in netman.wifi_scan()[1]]")
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip")


def raw_control(air) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(air.control_path)
    return sock


def answers(sock: socket.socket, count: int) -> list[dict]:
    data = b""
    while data.count(b"\n") < count:
        chunk = sock.recv(65536)
        assert chunk, f"control connection closed after {data!r}"
        data += chunk
    return [json.loads(line) for line in data.splitlines()]


def test_malformed_and_oversized_requests_are_answered_on_the_same_connection(air) -> None:
    with raw_control(air) as sock:
        sock.sendall(b"not json\n" b"[1, 2]\n" b'{"op": ["x"]}\n' b'{"args": {}}\n' b"\xff\xfe\n")
        sock.sendall(b'{"op": "status", "pad": "' + b"x" * 200_000 + b'"}\n')
        sock.sendall(b'{"op": "status"}\n')
        replies = answers(sock, 7)
    assert [r["ok"] for r in replies] == [False] * 6 + [True]
    assert "longer than 65536 bytes" in replies[5]["error"]
    assert replies[6]["result"]["aps"][0]["ssid"] == "home"


def test_scenario_values_of_the_wrong_type_are_refused(tmp_path) -> None:
    for toml, words in [('[[ap]]\nssid = "x"\nchannel = 1.5\n', "channel must be an integer"),
                        ('[[ap]]\nssid = "x"\nhidden = "yes"\n', "hidden must be true or false"),
                        ('[dhcp]\nfail = "no"\n', "fail must be true or false"),
                        ('[espnow]\nchannel = 2.0\n', "channel must be an integer"),
                        ('[air]\nconnect_ms = true\n', "connect_ms must be an integer"),
                        ('[[event]]\nat_ms = 5\naction = "set_rssi"\nssid = "x"\nrssi = -50.5\n',
                         "rssi must be an integer")]:
        result = run_netsim(tmp_path, toml)
        assert result.returncode == 2, toml
        assert words in result.stderr


# ---- SSIDs are bytes --------------------------------------------------------

def join_air(air, mac: bytes) -> socket.socket:
    sock = connect(air)
    sock.sendall(hello(mac))
    assert read_frame(sock)[0] == p.WELCOME
    return sock


def frame_of(sock: socket.socket, msg_type: int) -> p.Reader:
    """The next frame of msg_type (others, such as channel news, skipped)."""
    while True:
        body = read_frame(sock)
        assert body[0] != p.ERROR, body
        if body[0] == msg_type:
            return p.Reader(body)


FF_SSID = b"\xff" * 32


def test_a_32_byte_ssid_that_is_not_utf8_is_carried_as_is(air) -> None:
    with join_air(air, b"\x02\x00\x00\x00\x0f\x01") as owner, join_air(air, b"\x02\x00\x00\x00\x0f\x02") as guest:
        owner.sendall(p.Writer(p.AP_START).string(FF_SSID).string(b"").u8(3).u8(0).u8(4).frame())
        frame_of(owner, p.AP_STARTED)
        guest.sendall(p.Writer(p.SCAN).u8(0).u8(0).u16(30).u8(3).string(b"").u8(0).raw(bytes(6)).frame())
        result = frame_of(guest, p.SCAN_RESULT)
        result.raw(6 + 4)
        assert result.string() == FF_SSID
        guest.sendall(p.Writer(p.STA_CONNECT).string(FF_SSID).string(b"").string(b"guest").u8(0)
                      .raw(bytes(16)).u8(0).raw(bytes(6)).frame())
        joined = frame_of(guest, p.STA_CONNECTED)
        joined.raw(6 + 3)
        assert joined.string() == FF_SSID
        frame_of(guest, p.STA_GOT_IP)


# ---- a long-lived air ----------------------------------------------------------

@pytest.mark.scenario("""
[air]
connect_ms = 0
dhcp_ms = 0

[[ap]]
ssid = "open-net"
""")
def test_leases_of_devices_gone_from_the_air_are_given_out_again(air) -> None:
    addresses = set()
    for i in range(300):  # more MACs than the /24 pool has addresses
        with join_air(air, bytes([2, 0, 0, 0x10, i >> 8, i & 255])) as sock:
            sock.sendall(p.Writer(p.STA_CONNECT).string(b"open-net").string(b"").string(b"d").u8(0)
                         .raw(bytes(16)).u8(0).raw(bytes(6)).frame())
            got = frame_of(sock, p.STA_GOT_IP)
            addresses.add(got.ipv4())
    assert len(addresses) > 200
    assert air.client.history("dhcp_no_offer") == []


def test_a_device_on_the_air_keeps_its_lease_when_the_pool_is_used_up() -> None:
    import ipaddress

    pool = LeasePool(ipaddress.IPv4Network("127.77.0.0/29"), "127.77.0.1", first_host=1)
    on_air = {b"a", b"b", b"c", b"d", b"e"}
    leased = {mac: pool.lease(mac, on_air) for mac in sorted(on_air)}
    assert None not in leased.values() and len(set(leased.values())) == 5
    assert pool.lease(b"f", on_air) is None  # everyone is still here
    on_air.discard(b"b")
    assert pool.lease(b"f", on_air) == leased[b"b"]  # b's lease expired
    assert all(pool.lease(mac, on_air) == leased[mac] for mac in on_air)


def test_assigned_macs_do_not_run_out() -> None:
    air = Air(Scenario(), log=lambda line: None)
    seen = set()
    for _ in range(70000):
        mac = air._assign_mac()
        assert mac[:3] == b"\x02\x4e\x4d" and any(mac[3:])
        seen.add(mac)
    assert len(seen) == 70000


def test_the_history_keeps_the_latest_entries_and_counts_the_rest() -> None:
    air = Air(parse({}), log=lambda line: None)
    for i in range(HISTORY_MAX + 500):
        air.record("tick", n=i)
    assert len(air.history) == HISTORY_MAX
    assert air.history[-1]["n"] == HISTORY_MAX + 499
    assert air.status()["history_dropped"] == 500
