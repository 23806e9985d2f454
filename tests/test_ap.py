"""Access-point mode and STA+AP, with other device processes joining as
stations over the same air."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

from conftest import REPO, Probe, free_tcp_port
from test_tools import netman_run

AP_CALLBACKS = "**AP_CB"


def start_ap(probe, name: str = "ap", settings: str = "ssid='myap', psk='ap-password'", mac: str | None = None) -> Probe:
    dev: Probe = probe(f"netman.start(ap=dict({settings}, {AP_CALLBACKS}))", name=name, mac=mac)
    dev.wait_event("ap_started")
    return dev


def join(probe, name: str, ssid: str = "myap", psk: str = "ap-password", mac: str | None = None) -> Probe:
    return probe(f"netman.start(sta=dict(ssid='{ssid}', psk='{psk}', **CB))", name=name, mac=mac)


def test_ap_starts_and_reports_itself(probe, air) -> None:
    ap = start_ap(probe, mac="02:00:00:00:0a:01")
    softap = eval(ap.value("netman.info()['softap']"))
    assert softap == {"status": "started", "reason": None, "ssid": "myap", "channel": 1, "hidden": False,
                      "max_connections": 4, "address": "127.100.1.1", "netmask": "255.255.255.0",
                      "mac": b"\x06\x00\x00\x00\x0a\x01"}
    assert ap.value("netman.sta_status()") == "'inactive'"
    assert ap.value("netman.ap_stations()") == "[]"
    described = {a["ssid"]: a for a in air.client.status()["aps"]}["myap"]
    assert described["owner"] == "02:00:00:00:0a:01"
    assert described["bssid"] == "06:00:00:00:0a:01"  # the AP's own MAC, as info() says
    assert described["authmode"] == "wpa_wpa2_psk"
    assert "ap-password" not in ap.process.output and "ap-password" not in air.output


def test_open_ap_with_default_ssid_prints_a_warning(probe, air) -> None:
    ap = probe(f"netman.start(ap=dict({AP_CALLBACKS}))", mac="02:00:00:00:0b:07")
    ap.wait_event("ap_started")
    ap.process.wait_line(r"^netman: warning: access point 'mpy-020000000b07' is an open network")
    assert {a["ssid"]: a for a in air.client.status()["aps"]}["mpy-020000000b07"]["authmode"] == "open"


def test_station_joins_and_leaves_with_callbacks_in_order(probe, air) -> None:
    ap = start_ap(probe)
    sta = join(probe, "sta", mac="02:00:00:00:0c:01")
    assert sta.wait_event("got_ip") == "EV got_ip ('127.100.1.2', '255.255.255.0', '127.100.1.1') | connected"
    ap.wait_event("sta_ip_assigned")
    assert [e.split(" |")[0] for e in ap.events()] == [
        "EV ap_started",
        r"EV sta_connected b'\x02\x00\x00\x00\x0c\x01'",
        "EV sta_ip_assigned '127.100.1.2'",
    ]
    assert eval(ap.value("netman.ap_stations()")) == [
        {"mac": b"\x02\x00\x00\x00\x0c\x01", "rssi": -45, "ip": "127.100.1.2"}]
    sta.run("netman.stop()")
    ap.wait_event("sta_disconnected")
    assert ap.value("netman.ap_stations()") == "[]"


def test_addresses_are_sequential_and_stable(probe, air) -> None:
    start_ap(probe)
    first = join(probe, "one")
    second = join(probe, "two")
    assert "127.100.1.2" in first.wait_event("got_ip")
    assert "127.100.1.3" in second.wait_event("got_ip")


def test_wrong_psk_is_refused_and_the_ap_hears_nothing(probe, air) -> None:
    ap = start_ap(probe)
    sta = join(probe, "sta", psk="not-the-password")
    sta.wait_event("disconnected")
    assert sta.value("netman.info()['disconnect_reason']") == "'auth_failed'"
    time.sleep(0.1)
    assert [e.split()[1] for e in ap.events()] == ["ap_started"]


def test_connection_limit(probe, air) -> None:
    ap = start_ap(probe, settings="ssid='myap', psk='ap-password', max_connections=2")
    for name in ("one", "two"):
        join(probe, name).wait_event("got_ip")
    third = join(probe, "three")
    third.wait_event("disconnected")
    assert third.value("netman.info()['disconnect_reason']") == "'assoc_failed'"
    assert len(eval(ap.value("netman.ap_stations()"))) == 2
    assert air.client.history("ap_full")


@pytest.mark.scenario("")
def test_hidden_ap_is_found_only_by_name(probe, air) -> None:
    start_ap(probe, settings="ssid='quiet', psk='ap-password', ssid_hidden=True")
    scanner = probe("netman.start(sta=dict(managed=True))", name="scanner")
    assert eval(scanner.value("netman.wifi_scan()")) == (0, [])
    found, networks = eval(scanner.value("netman.wifi_scan(show_hidden=True)"))
    assert found == 1 and networks[0]["ssid"] == "" and networks[0]["hidden"] is True
    found, networks = eval(scanner.value("netman.wifi_scan(ssid='quiet')"))
    assert networks[0]["ssid"] == "quiet"
    scanner.run("netman.sta_connect(ssid='quiet', psk='ap-password')")
    assert scanner.value("netman.wait_for_sta(timeout_ms=5000)")[:14] == "('127.100.1.2'"


def test_aliases_of_atomvm(probe, air) -> None:
    ap = start_ap(probe, settings="ssid='alias', psk='ap-password', ap_ssid_hidden=True, ap_max_connections=1")
    softap = eval(ap.value("netman.info()['softap']"))
    assert (softap["hidden"], softap["max_connections"]) == (True, 1)


def test_wait_for_ap(probe, air) -> None:
    dev = probe("")
    assert dev.value("netman.wait_for_ap(ssid='waited', psk='ap-password', timeout_ms=5000)") == "None"
    assert eval(dev.value("netman.info()['softap']"))["status"] == "started"
    # Running already: returns at once.
    assert dev.value("netman.wait_for_ap()") == "None"
    assert dev.error("netman.wait_for_ap(ssid='other')")[:2] == ["NetError", "already_started"]


def test_wait_for_ap_reports_a_taken_ssid(probe, air) -> None:
    dev = probe("")
    kind, reason, _ = dev.error("netman.wait_for_ap(ssid='home', psk='ap-password', timeout_ms=5000)")
    assert (kind, reason) == ("NetError", "ssid_in_use")
    assert dev.value("netman.sta_status()") == "'inactive'"
    assert dev.error("netman.info()")[1] == "not_started"  # the wait stopped what it started


def test_ap_only_network_has_no_station(probe, air) -> None:
    dev = start_ap(probe)
    for call in ("netman.wifi_scan()", "netman.sta_connect(ssid='home')", "netman.sta_rssi()",
                 "netman.sta_disconnect()", "netman.wait_for_sta()"):
        kind, reason, message = dev.error(call)
        assert (kind, reason) == ("NetError", "unsupported"), call
    assert "station" in dev.error("netman.wifi_scan()")[2]
    dev.run("netman.stop()")
    dev.run("netman.start(sta=dict(managed=True))")
    assert dev.error("netman.wait_for_ap()")[:2] == ["NetError", "unsupported"]


def test_stopping_the_ap_sends_stations_away(probe, air) -> None:
    ap = start_ap(probe)
    sta = join(probe, "sta")
    sta.wait_event("got_ip")
    ap.run("netman.stop()")
    sta.wait_event("disconnected")
    assert sta.value("netman.info()['disconnect_reason']") == "'ap_left'"


def test_ap_process_dying_is_a_vanished_ap(probe, air) -> None:
    ap = start_ap(probe)
    sta = join(probe, "sta")
    sta.wait_event("got_ip")
    ap.process.stop()
    sta.wait_event("beacon_timeout")
    sta.wait_event("disconnected")
    assert sta.value("netman.info()['disconnect_reason']") == "'beacon_timeout'"
    assert "myap" not in {a["ssid"] for a in air.client.status()["aps"]}


def test_sta_and_ap_together_follow_one_channel(probe, air) -> None:
    # "home" (the default air's AP) is on channel 6; our AP is set to 1.
    both = probe(f"netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB), "
                 f"ap=dict(ssid='relay', psk='ap-password', ap_channel=1, {AP_CALLBACKS}))", name="both")
    both.wait_event("ap_started")
    guest = join(probe, "guest", ssid="relay")
    guest.wait_event("got_ip")
    assert eval(guest.value("netman.info()['ap']"))["channel"] == 1
    both.run("netman.sta_connect()")
    both.wait_event("got_ip")

    def channels() -> tuple[int, int]:
        return (eval(both.value("netman.info()['softap']"))["channel"],
                eval(guest.value("netman.info()['ap']"))["channel"])

    deadline = time.monotonic() + 5
    while channels() != (6, 6):
        assert time.monotonic() < deadline, channels()
        time.sleep(0.02)
    scanner = probe("netman.start(sta=dict(managed=True))", name="scanner")
    relay = [n for n in eval(scanner.value("netman.wifi_scan(ssid='relay')"))[1]]
    assert relay[0]["channel"] == 6
    # Back to its own channel when the station leaves its AP.
    both.run("netman.sta_disconnect()")
    both.wait_event("disconnected")
    deadline = time.monotonic() + 5
    while channels() != (1, 1):
        assert time.monotonic() < deadline, channels()
        time.sleep(0.02)
    assert air.client.history("ap_channel", ssid="relay")[-1]["channel"] == 1


def test_tcp_echo_server_on_the_ap_address(probe, air) -> None:
    server = probe("""
import socket
def echo_once(port):
    # Bound to our AP address: real, not a label. Poll accept so that
    # callbacks keep running meanwhile.
    address = netman.info()['softap']['address']
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(socket.getaddrinfo(address, port)[0][-1])
    srv.listen(1)
    srv.setblocking(False)
    print('LISTENING')
    for _ in range(1000):
        try:
            conn, _ = srv.accept()
            break
        except OSError:
            time.sleep_ms(10)
    conn.setblocking(True)
    data = conn.recv(64)
    conn.send(b'echo:' + data)
    conn.close()
    srv.close()
    return data
import time
netman.start(ap=dict(ssid='echo', psk='ap-password', ap_started=AP_CB['ap_started']))
""", name="server")
    server.wait_event("ap_started")
    client = join(probe, "client", ssid="echo")
    client.wait_event("got_ip")
    address = eval(server.value("netman.info()['softap']['address']"))
    assert address == "127.100.1.1"
    port = free_tcp_port(address)
    mark = server.process.send(f"echo_once({port})")
    server.process.wait_line("^LISTENING$", start=mark)
    client.run("import socket")
    client.run(f"s = socket.socket(); s.connect(socket.getaddrinfo('{address}', {port})[0][-1])")
    assert client.value("s.send(b'hello') and s.recv(64)") == "b'echo:hello'"
    server.process.wait_line("^OK b'hello'$", start=mark)


BAD_APS = [
    ("psk='short'", "ValueError", ["ap", "'psk'", "8 to 63"]),
    ("psk='p' * 65", "ValueError", ["'psk'"]),
    ("psk='g' * 64", "ValueError", ["'psk'", "hex"]),
    ("ap_channel=0", "ValueError", ["'ap_channel'", "1 to 13"]),
    ("ap_channel=14", "ValueError", ["'ap_channel'", "1 to 13"]),
    ("max_connections=0", "ValueError", ["'max_connections'", "1 to 10"]),
    ("max_connections=11", "ValueError", ["'max_connections'", "1 to 10"]),
    ("ap_max_connections=11", "ValueError", ["'ap_max_connections'", "1 to 10"]),
    ("ssid=''", "ValueError", ["'ssid'", "1 to 32"]),
    ("ssid='s' * 33", "ValueError", ["'ssid'", "1 to 32"]),
    ("ssid=7", "TypeError", ["'ssid'"]),
    ("ssid_hidden='yes'", "TypeError", ["'ssid_hidden'"]),
    ("ap_chanel=3", "ValueError", ["'ap_chanel'", "did you mean 'ap_channel'"]),
    ("max_connections=2, ap_max_connections=3", "ValueError", ["given twice"]),
    ("sta_connected=5", "TypeError", ["'sta_connected'", "callable"]),
]


@pytest.mark.parametrize("settings,kind,words", BAD_APS, ids=[b[0] for b in BAD_APS])
def test_bad_ap_config_starts_nothing(probe, air, settings: str, kind: str, words: list[str]) -> None:
    dev = probe("")
    dev.rejects(f"netman.start(sta=dict(ssid='home', psk='secret123'), ap=dict({settings}))", kind, words)
    assert air.client.history("device_joined_air") == []
    assert dev.value("netman.sta_status()") == "'inactive'"


def test_ap_network_example(firmware: Path) -> None:
    result = netman_run("--firmware", str(firmware), "--quiet-air", str(REPO / "examples/ap_network.toml"),
                        str(REPO / "examples/ap_network.py"), str(REPO / "examples/ap_guest.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    ap = [line[len("[ap_network] "):] for line in result.stdout.splitlines() if line.startswith("[ap_network] ")]
    assert ap[0] == "AP started at 127.100.1.1"
    assert re.fullmatch(r"STA connected with mac 02:4e:4d:00:00:0\d", ap[1])
    assert ap[2] == "STA assigned address 127.100.1.2"
    assert ap[3] == ap[1].replace("connected", "disconnected")
    assert ap[4] == "stations seen: 1"
    assert "[ap_guest] joined myssid as 127.100.1.2 gateway 127.100.1.1" in result.stdout
