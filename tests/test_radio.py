"""The host port's radio: NETMAN_AIR and NETMAN_MAC, and what happens when
there is no air to talk to."""

from __future__ import annotations

import time
from pathlib import Path


def test_no_air_configured_raises_no_radio_at_once(probe) -> None:
    dev = probe("", air=None)
    started = time.monotonic()
    kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "NETMAN_AIR" in message
    assert time.monotonic() - started < 5  # a clear error, not a hang
    assert dev.value("isinstance(netman.NetError('x'), OSError)") == "True"
    assert dev.value("netman.sta_status()") == "'inactive'"


def test_air_socket_missing_raises_no_radio(probe, tmp_path: Path) -> None:
    dev = probe("", air=None, env={"NETMAN_AIR": str(tmp_path / "nothing-here")})
    kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "nothing-here" in message


def test_air_that_never_answers_raises_no_radio(probe, tmp_path: Path) -> None:
    import socket

    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.bind(str(tmp_path / "silent.sock"))
    silent.listen(1)
    try:
        dev = probe("", air=None, env={"NETMAN_AIR": str(tmp_path / "silent.sock")})
        kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
        assert (kind, reason) == ("NetError", "no_radio")
        assert "did not answer" in message
    finally:
        silent.close()


def test_mac_from_environment(probe, air) -> None:
    dev = probe(mac="02:12:34:56:78:9a")
    dev.wait_event("got_ip")
    assert dev.value("netman.info()['mac']") == r"b'\x02\x124Vx\x9a'"
    assert air.client.device("02:12:34:56:78:9a")["state"] == "connected"


def test_mac_assigned_by_the_air_when_not_given(probe, air) -> None:
    a = probe(name="a")
    b = probe(name="b")
    a.wait_event("got_ip")
    b.wait_event("got_ip")
    macs = {d["mac"] for d in air.client.status()["devices"]}
    assert len(macs) == 2
    assert all(m.startswith("02:4e:4d") for m in macs)


def test_bad_mac_in_environment_is_a_clear_error(probe) -> None:
    dev = probe("", mac="not-a-mac")
    kind, reason, message = dev.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "NETMAN_MAC" in message and "not-a-mac" in message


def test_duplicate_mac_is_refused_by_the_air(probe) -> None:
    probe(mac="02:00:00:00:00:07", name="first").wait_event("got_ip")
    second = probe("", mac="02:00:00:00:00:07", name="second")
    kind, reason, message = second.error("netman.start(sta=dict(ssid='home', psk='secret123'))")
    assert (kind, reason) == ("NetError", "no_radio")
    assert "already on the air" in message


def test_uncaught_no_radio_ends_the_program_with_a_traceback(device) -> None:
    dev = device("import netman\nnetman.start(sta={'ssid': 'home', 'psk': 'secret123'})\nprint('unreachable')\n",
                 air=None)
    assert dev.wait_exit(10) == 1
    assert "NetError: no radio: NETMAN_AIR is not set" in dev.output
    assert "unreachable" not in dev.output
    assert "secret123" not in dev.output


def test_a_device_keeps_its_mac_for_the_life_of_its_process(probe, air) -> None:
    # The air assigns the MAC at the first start; a radio switched off and on
    # again (stop/start, here ten times, with an AP joined) keeps it.
    dev = probe("netman.start(sta=dict(managed=True))")
    first = dev.value("netman.info()['mac']")
    for _ in range(10):
        dev.run("netman.stop()")
        dev.run("netman.start(sta=dict(ssid='home', psk='secret123'))")
        assert dev.value("netman.info()['mac']") == first
    dev.run("netman.wait_for_sta()")
    macs = [d["mac"] for d in air.client.status()["devices"]]
    assert macs == [":".join("%02x" % b for b in eval(first))]
    # Another process gets another MAC.
    other = probe("netman.start(sta=dict(managed=True))", name="other")
    assert other.value("netman.info()['mac']") != first
