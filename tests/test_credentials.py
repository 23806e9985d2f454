"""netman.credentials: stored WiFi credentials on the host build (a file per
device), used when a config leaves ssid/psk out."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from conftest import NO_DISCONNECTED_CB, Probe


@pytest.fixture
def nvs(tmp_path: Path) -> Path:
    (tmp_path / "nvs").mkdir()
    return tmp_path / "nvs" / "device.nvs"


def test_store_load_clear(probe, nvs: Path) -> None:
    dev: Probe = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    assert dev.value("creds.load() == {'sta': None, 'ap': None}") == "True"
    dev.run("creds.store(sta=('home', 'secret123'))")
    dev.run("creds.store(ap=(b'my-ap', b'ap-password'))")
    loaded = dev.value("creds.load()")
    assert "secret123" not in loaded and "ap-password" not in loaded
    assert "Credential(ssid='home', psk=<hidden>)" in loaded
    assert dev.value("tuple(creds.load()['sta'])") == "('home', 'secret123')"
    assert dev.value("tuple(creds.load()['ap'])") == "('my-ap', 'ap-password')"
    # Storing one kind keeps the other.
    dev.run("creds.store(sta=('cafe', ''))")
    assert dev.value("tuple(creds.load()['sta'])") == "('cafe', '')"
    assert dev.value("creds.load()['ap'].ssid") == "'my-ap'"
    assert dev.value("creds.location()") == repr(str(nvs))
    dev.run("creds.clear()")
    assert dev.value("creds.load() == {'sta': None, 'ap': None}") == "True"
    assert not nvs.exists()


def test_file_is_private_and_written_whole(probe, nvs: Path) -> None:
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    dev.run("creds.store(sta=('home', 'secret123'))")
    assert stat.S_IMODE(nvs.stat().st_mode) == 0o600
    assert [p.name for p in nvs.parent.iterdir()] == ["device.nvs"]  # no temporary file left
    nvs.chmod(0o644)
    dev.run("creds.store(sta=('home', 'secret123'))")
    assert stat.S_IMODE(nvs.stat().st_mode) == 0o600


def test_default_location_is_under_the_users_data_directory(probe, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "NETMAN_NAME": "kitchen"}
    dev = probe("import netman.credentials as creds", env=env, name="kitchen")
    dev.run("creds.store(sta=('home', 'secret123'))")
    assert (tmp_path / ".local/share/netman/kitchen.nvs").is_file()


def test_credentials_survive_a_restart_and_fill_the_config(probe, nvs: Path) -> None:
    first = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)}, name="first")
    first.run("creds.store(sta=('home', 'secret123'))")
    first.process.stop()
    again = probe("netman.start(sta=dict(**CB))", env={"NETMAN_NVS": str(nvs)}, name="again")
    again.wait_event("got_ip")
    assert again.value("netman.info()['ap']['ssid']") == "'home'"
    assert "secret123" not in again.process.output


def test_explicit_values_win(probe, air, nvs: Path) -> None:
    air.client.add_ap("cafe")
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    dev.run("creds.store(sta=('home', 'stale-password'))")
    # Stored SSID with an explicit PSK.
    dev.run("netman.start(sta=dict(psk='secret123', **CB))")
    dev.wait_event("got_ip")
    dev.run("netman.stop()")
    # An explicit SSID does not take the PSK stored for another one.
    mark = dev.mark()
    dev.run("netman.start(sta=dict(ssid='cafe', **CB))")
    dev.wait_event("got_ip", start=mark)
    assert dev.value("netman.info()['ap']['ssid']") == "'cafe'"


def test_managed_sta_connect_uses_stored_credentials(probe, nvs: Path) -> None:
    dev = probe("netman.start(sta=dict(managed=True, **CB))", env={"NETMAN_NVS": str(nvs)})
    assert dev.error("netman.sta_connect()")[:2] == ["NetError", "no_credentials"]
    dev.run("netman.credentials.store(sta=('home', 'secret123'))")
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip")


def test_stored_ap_credentials_start_the_ap(probe, air, nvs: Path) -> None:
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    dev.run("creds.store(ap=('stored-ap', 'ap-password'))")
    dev.run("netman.start(ap={})")
    assert dev.value("netman.wait_for_ap(timeout_ms=5000)") == "None"
    ap = {a["ssid"]: a for a in air.client.status()["aps"]}["stored-ap"]
    assert ap["authmode"] == "wpa_wpa2_psk"
    guest = probe("netman.start(sta=dict(ssid='stored-ap', psk='ap-password', **CB))", name="guest")
    guest.wait_event("got_ip")


@pytest.mark.parametrize("content", [b"garbage", b"NMC1\x01\x01\x04home", b"", b"NMC1" + bytes(20)])
def test_corrupt_file_is_reported_and_ignored(probe, nvs: Path, content: bytes) -> None:
    nvs.write_bytes(content)
    dev = probe("", env={"NETMAN_NVS": str(nvs)})
    assert dev.value("netman.credentials.load() == {'sta': None, 'ap': None}") == "True"
    dev.process.wait_line(rf"^netman: warning: ignoring the credentials at {nvs}: ")
    kind, _, message = dev.error("netman.start(sta={})")
    assert kind == "ValueError" and "credentials are stored" in message
    # A good config still starts, and storing repairs the file.
    dev.run("netman.credentials.store(sta=('home', 'secret123'))")
    dev.run("netman.start(sta=dict(**CB))")
    dev.wait_event("got_ip")


def test_unwritable_store_is_a_clear_error(probe, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(blocker / "device.nvs")})
    kind, reason, message = dev.error("creds.store(sta=('home', 'secret123'))")
    assert (kind, reason) == ("NetError", "storage_failed")
    assert str(blocker) in message and "secret123" not in message
    assert "secret123" not in dev.process.output.replace("'secret123'", "")


BAD_STORES = [
    ("sta='home'", "TypeError", ["(ssid, psk)"]),
    ("sta=('home',)", "TypeError", ["(ssid, psk)"]),
    ("sta=('x' * 33, 'secret123')", "ValueError", ["'ssid'", "1 to 32"]),
    ("ap=('my-ap', 'short')", "ValueError", ["'psk'", "8 to 63"]),
    ("", "TypeError", ["sta=(ssid, psk)"]),
]


@pytest.mark.parametrize("args,kind,words", BAD_STORES, ids=[b[0] or "nothing" for b in BAD_STORES])
def test_bad_store_arguments(probe, nvs: Path, args: str, kind: str, words: list[str]) -> None:
    dev = probe("import netman.credentials as creds", env={"NETMAN_NVS": str(nvs)})
    message = dev.rejects(f"creds.store({args})", kind, words)
    assert "short" not in message
    assert not nvs.exists()


ROAMING_AIR = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6
rssi = -50

[[ap]]
ssid = "backup"
psk = "backup-pass"
channel = 11
rssi = -72

[[ap]]
ssid = "stranger"
channel = 1
rssi = -30
"""

KNOWN = "networks=[('backup', 'backup-pass'), ('home', 'secret123')]"


@pytest.mark.scenario(ROAMING_AIR)
def test_roams_to_the_strongest_known_network(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict({KNOWN}, {NO_DISCONNECTED_CB}))")
    dev.wait_event("got_ip")
    # "stranger" is stronger but unknown; "home" is the strongest known one.
    assert dev.value("netman.info()['ap']['ssid']") == "'home'"
    mark = dev.mark()
    air.client.ap_down("home")
    dev.wait_event("got_ip", start=mark)
    assert dev.value("netman.info()['ap']['ssid']") == "'backup'"
    # Home is back; the device stays where it is until it loses "backup".
    air.client.ap_up("home")
    mark = dev.mark()
    air.client.deauth("backup")
    dev.wait_event("got_ip", start=mark)
    assert dev.value("netman.info()['ap']['ssid']") == "'home'"
    assert "secret123" not in dev.value("repr(netman.info())") + dev.value("repr(netman._sta)").replace("secret123", "")


@pytest.mark.scenario(ROAMING_AIR)
def test_roaming_includes_the_stored_network_and_waits_for_one(probe, air, nvs: Path) -> None:
    air.client.ap_down("home")
    air.client.ap_down("backup")
    dev = probe("netman.credentials.store(sta=('home', 'secret123'))\n"
                f"netman.start(sta=dict(networks=[('backup', 'backup-pass')], {NO_DISCONNECTED_CB}))",
                env={"NETMAN_NVS": str(nvs)})
    air.client.wait_for("scan_done", count=2)  # nothing known in sight: it keeps looking
    assert dev.value("netman.sta_status()") == "'disconnected'"
    air.client.ap_up("home")
    dev.wait_event("got_ip")
    assert dev.value("netman.info()['ap']['ssid']") == "'home'"


@pytest.mark.scenario(ROAMING_AIR)
def test_no_roaming_after_sta_disconnect_or_with_a_disconnected_callback(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict({KNOWN}, {NO_DISCONNECTED_CB}))")
    dev.wait_event("got_ip")
    scans = len(air.client.history("scan"))
    dev.run("netman.sta_disconnect()")
    air.client.wait_for("sta_disconnected", reason="by_request")
    time.sleep(0.3)
    assert len(air.client.history("scan")) == scans
    dev.run("netman.stop()")
    mark = dev.mark()
    dev.run(f"netman.start(sta=dict({KNOWN}, **CB))")
    dev.wait_event("got_ip", start=mark)
    air.client.ap_down("home")
    dev.wait_event("disconnected", start=mark)
    time.sleep(0.3)
    assert dev.value("netman.sta_status()") == "'disconnected'"  # the application decides


def test_bad_networks_list(probe) -> None:
    dev = probe("")
    for value, kind, word in [("[]", "TypeError", "1 to 10"), ("[('home',)]", "TypeError", "(ssid, psk) pairs"),
                              ("[('home', 'short')]", "ValueError", "'networks psk'"), ("'home'", "TypeError", "list")]:
        got, _, message = dev.error(f"netman.start(sta=dict(networks={value}))")
        assert got == kind and word in message, message
