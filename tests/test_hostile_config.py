"""Configuration a caller gets wrong, or bytes that are not text: a clear
error naming the key, never a secret in it, never a PSK sent to a network it
was not given for; stored credentials that are not UTF-8 still load."""

from __future__ import annotations

import binascii
from pathlib import Path

import pytest

from conftest import Probe

TWO_NETWORKS = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6

[[ap]]
ssid = "other"
psk = "secret123"
channel = 11
"""

SECRET_SHAPES = [
    "netman.start(sta=[('ssid', 'home'), ['psk', 'secret123']])",
    "netman.start(sta=[('ssid', 'home'), ('psk', 'secret123', 'x')])",
    "netman.start(sta=[(('psk', 'secret123'), 1)])",
    "netman.start([('sta', [('ssid', 'home')]), ['ap', [('psk', 'secret123')]]])",
]


@pytest.mark.parametrize("call", SECRET_SHAPES, ids=range(len(SECRET_SHAPES)))
def test_a_malformed_property_list_never_echoes_its_items(probe, call: str) -> None:
    dev: Probe = probe("")
    kind, _, message = dev.error(call)
    assert kind == "TypeError"
    assert "secret123" not in message
    assert "property list" in message or "keys must be strings" in message


@pytest.mark.scenario(TWO_NETWORKS)
def test_sta_connect_to_another_ssid_does_not_take_the_old_psk(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='other')")
    # "other" has the same PSK: had the old one gone with the new SSID, it would join.
    dev.wait_event("disconnected", start=mark)
    assert dev.value("netman.info()['disconnect_reason']") == "'auth_failed'"
    assert air.client.history("sta_associated", ssid="other") == []
    # Given its own PSK it joins; going back to "home" needs home's PSK again.
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='other', psk='secret123')")
    dev.wait_event("got_ip", start=mark)
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='home')")
    dev.wait_event("disconnected", start=mark)
    assert len(air.client.history("sta_associated", ssid="home")) == 1


@pytest.mark.scenario(TWO_NETWORKS)
def test_a_stored_psk_goes_only_with_its_own_ssid_on_sta_connect(probe, air, tmp_path: Path) -> None:
    nvs = tmp_path / "device.nvs"
    dev = probe("netman.credentials.store(sta=('home', 'secret123'))\nnetman.start(sta=dict(**CB))",
                env={"NETMAN_NVS": str(nvs)})
    dev.wait_event("got_ip")  # home, with the stored PSK
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='other')")
    dev.wait_event("disconnected", start=mark)
    assert air.client.history("sta_associated", ssid="other") == []
    # Back to the stored SSID: the stored PSK goes with it again.
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='home')")
    dev.wait_event("got_ip", start=mark)
    assert dev.value("netman.info()['ap']['ssid']") == "'home'"


NOT_TEXT = [
    ("netman.start(sta=dict(ssid='home', dhcp_hostname=b'caf\\xe9'))", "ValueError", ["sta", "'dhcp_hostname'"]),
    ("netman.start(sta=dict(ssid='home'), sntp=dict(host=b'\\xff.pool'))", "ValueError", ["sntp", "'host'"]),
    ("netman.start(sta=dict(ssid='home'), sntp=b'\\xff')", "ValueError", ["sntp", "'host'"]),
    ("netman.start(sta=dict(ssid='home'), mdns=dict(hostname=b'\\xff'))", "ValueError", ["mdns", "'hostname'"]),
    ("netman.start(sta=dict(ssid='home'), mdns=dict(services=[(b'_h\\xff', '_tcp', 80, 'x')]))", "ValueError",
     ["mdns", "'services service'"]),
    ("netman.start(sta=dict(ssid='home', ip=(b'127.0.0.\\xff', '255.0.0.0', '127.0.0.1', '127.0.0.1')))",
     "ValueError", ["sta", "'ip'"]),
    ("netman.start(sta={b'\\xff': 1})", "ValueError", ["sta", "'key'", "UTF-8"]),
    # Not text, but no address either: a radio would never report it back.
    ("netman.start(sta=dict(ssid='home', ip=('0.0.0.0', '255.0.0.0', '0.0.0.1', '0.0.0.1')))", "ValueError",
     ["sta", "'ip'", "not a host address"]),
    ("netman.start(sta=dict(ssid='home', ip=('224.0.0.5', '255.0.0.0', '224.0.0.1', '127.0.0.1')))", "ValueError",
     ["sta", "'ip'", "not a host address"]),
    ("netman.start({b'st\\xe1': {}})", "ValueError", ["start", "'key'", "UTF-8"]),
]


@pytest.mark.parametrize("call,kind,words", NOT_TEXT, ids=range(len(NOT_TEXT)))
def test_values_no_radio_could_use_are_a_value_error_naming_the_key(probe, air, call: str, kind: str,
                                                                words: list[str]) -> None:
    dev = probe("")
    dev.rejects(call, kind, words)
    assert dev.value("netman.sta_status()") == "'inactive'"
    assert air.client.history("device_joined_air") == []


def test_an_ap_ssid_of_any_bytes_starts_and_shows_as_bytes(probe, air) -> None:
    dev = probe("netman.start(ap=dict(ssid=b'caf\\xe9', **AP_CB))")
    dev.wait_event("ap_started")
    dev.process.wait_line(r"^netman: warning: access point b'caf\\xe9' is an open network")
    assert dev.value("netman.info()['softap']['ssid']") == "b'caf\\xe9'"
    dev.run("netman.stop()")
    mark = dev.mark()
    dev.run("netman.start(ap=dict(ssid=b'\\xff' * 32, psk='ap-password', **AP_CB))")
    dev.wait_event("ap_started", start=mark)
    assert dev.value("netman.info()['softap']['ssid']") == repr(b"\xff" * 32)
    assert dev.value("netman.info()['softap']['status']") == "'started'"


def credentials_blob(entries: list[tuple[int, bytes, bytes]]) -> bytes:
    """The store's format (python/netman/credentials.py): magic, count,
    (kind, ssid, psk) entries, CRC-32."""
    out = bytearray(b"NMC1") + bytes([len(entries)])
    for kind, ssid, psk in entries:
        out += bytes([kind, len(ssid)]) + ssid + bytes([len(psk)]) + psk
    return bytes(out) + (binascii.crc32(out) & 0xFFFFFFFF).to_bytes(4, "little")


def test_stored_credentials_that_are_not_utf8_load_and_start(probe, air, tmp_path: Path) -> None:
    nvs = tmp_path / "device.nvs"
    nvs.write_bytes(credentials_blob([(1, b"caf\xe9", b"pass\xffword")]))
    dev = probe("", env={"NETMAN_NVS": str(nvs)})
    assert dev.value("netman.credentials.load()['sta']") == "Credential(ssid=b'caf\\xe9', psk=<hidden>)"
    assert dev.value("tuple(netman.credentials.load()['sta'])") == repr((b"caf\xe9", b"pass\xffword"))
    dev.run("netman.start(sta=dict(**CB))")  # the stored network, though nobody serves it here
    assert air.client.wait_for("sta_connect")[0]["ssid"] == "caf\udce9"
    dev.run("netman.stop()")
    # store() of such a pair writes what load() reads back.
    dev.run("netman.credentials.store(ap=(b'\\xfe\\xff', 'ap-password'))")
    assert dev.value("netman.credentials.load()['ap'].ssid") == "b'\\xfe\\xff'"


@pytest.mark.parametrize("entries", [
    [(1, b"x" * 40, b"secret123")],      # an SSID longer than 32 bytes
    [(1, b"", b"secret123")],            # an empty SSID
    [(1, b"home", b"short")],            # a PSK store() would refuse
], ids=["long-ssid", "empty-ssid", "short-psk"])
def test_stored_credentials_store_would_refuse_are_damage(probe, tmp_path: Path, entries) -> None:
    nvs = tmp_path / "device.nvs"
    nvs.write_bytes(credentials_blob(entries))
    dev = probe("", env={"NETMAN_NVS": str(nvs)})
    assert dev.value("netman.credentials.load() == {'sta': None, 'ap': None}") == "True"
    dev.process.wait_line(rf"^netman: warning: ignoring the credentials at {nvs}: ")
    assert "secret123" not in dev.process.output
    kind, _, message = dev.error("netman.start(sta={})")
    assert kind == "ValueError" and "credentials are stored" in message


def test_store_never_writes_through_a_planted_symlink(probe, tmp_path: Path) -> None:
    nvs = tmp_path / "device.nvs"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    victim.chmod(0o644)
    (tmp_path / "device.nvs.tmp").symlink_to(victim)
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    dev.run("creds.store(sta=('home', 'secret123'))")
    assert victim.read_text() == "precious"
    assert victim.stat().st_mode & 0o777 == 0o644
    assert dev.value("tuple(creds.load()['sta'])") == "('home', 'secret123')"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("device")) == ["device.nvs"]


def test_a_long_store_path_is_used_whole_and_a_too_long_one_refused(probe, tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120) / ("e" * 120)
    deep.mkdir(parents=True)
    nvs = deep / "device.nvs"
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    dev.run("creds.store(sta=('home', 'secret123'))")
    assert nvs.is_file()
    assert dev.value("creds.location()") == repr(str(nvs))
    dev.process.stop()
    too_long = "/" + "x" * 5000
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": too_long}, name="again")
    for call in ("creds.store(sta=('home', 'secret123'))", "creds.load()", "creds.clear()"):
        kind, reason, message = dev.error(call)
        assert (kind, reason) == ("NetError", "storage_failed")
        assert "too long" in message and "secret123" not in message


@pytest.mark.parametrize("value", ["float('inf')", "float('-inf')", "float('nan')", "1e300"])
def test_a_txpower_that_is_no_number_of_dbm_is_a_value_error(probe, value: str) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB))")
    dev.rejects(f"netman.radio(txpower={value})", "ValueError", ["radio", "'txpower'", "dBm"])
