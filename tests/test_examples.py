"""The example applications run as a user would run them, with netman-run."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO
from test_tools import netman_run


def run_example(firmware: Path, name: str, scenario: str, *others: str, macs: tuple[str, ...] = ()) -> list[str]:
    """Run examples/<name> (with the other apps beside it); its output lines."""
    options = [arg for mac in macs for arg in ("--mac", mac)]
    result = netman_run("--firmware", str(firmware), "--quiet-air", *options, str(REPO / "examples" / scenario),
                        str(REPO / "examples" / name), *(str(REPO / "examples" / other) for other in others))
    assert result.returncode == 0, result.stdout + result.stderr
    prefix = f"[{Path(name).stem}] "
    return [line[len(prefix):] for line in result.stdout.splitlines() if line.startswith(prefix)]


def test_sta_network_example(firmware: Path) -> None:
    lines = run_example(firmware, "sta_network.py", "sta_network.toml")
    assert lines[0] == "connected"
    assert re.fullmatch(r"got_ip \('127\.77\.0\.\d+', '255\.255\.255\.0', '127\.77\.0\.1'\)", lines[1])
    assert re.fullmatch(r"joined myssid at 127\.77\.0\.\d+ rssi -61", lines[2])


def test_wait_for_sta_example(firmware: Path) -> None:
    lines = run_example(firmware, "wait_for_sta.py", "sta_network.toml")
    assert re.fullmatch(r"Acquired IP address: 127\.77\.0\.\d+", lines[0])
    assert lines[1] == "Network initialization failed: auth_failed"


def test_managed_scan_then_connect_example(firmware: Path) -> None:
    lines = run_example(firmware, "scan_connect.py", "scan_connect.toml")
    # The known network is off at first: the app rescans until it shows up.
    assert lines[0] == "WiFi scan found 2 networks."
    assert "No psk stored for network guest with wpa2_psk security!" in lines
    assert "No known networks found, re-scanning." in lines
    assert "Connecting to upstairs (wpa2_psk)..." in lines
    joined = lines.index("Connecting to upstairs (wpa2_psk)...")
    assert lines[joined + 1] == "Connected to AP."
    assert lines[joined + 2].startswith("Got IP: ('127.77.0.")
    assert re.fullmatch(r"online after \d+ scan\(s\)", lines[-1])


def test_espnow_sender_and_receiver(firmware: Path) -> None:
    lines = run_example(firmware, "espnow_receiver.py", "espnow.toml", "espnow_sender.py",
                        macs=("espnow_receiver=bb:bb:bb:bb:bb:bb",))
    messages = [line for line in lines if line.startswith("b'")]
    assert messages[0].endswith("b'Starting...'")
    assert messages[-1].endswith("b'end'")
    assert [m.split()[-1] for m in messages[1:-1]] == [repr(str(i).encode() * 20) for i in range(100)]
    assert lines[-1].startswith("received 102 messages; stats (0, 0, 0, 102, 0)")


def test_espnow_async_echo_server(firmware: Path) -> None:
    result = netman_run("--firmware", str(firmware), "--quiet-air", "--mac", "espnow_echo=aa:aa:aa:aa:aa:aa",
                        "--mac", "espnow_pinger=bb:bb:bb:bb:bb:bb", str(REPO / "examples/espnow.toml"),
                        str(REPO / "examples/espnow_echo.py"), str(REPO / "examples/espnow_pinger.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert any(re.fullmatch(r"\[espnow_pinger\] echoes 5 of 5; heartbeats \d", line) for line in out)
    assert sum(line.startswith("[espnow_echo] Echo: bytearray(b'hello ") for line in out) == 5
    assert "[espnow_echo] Heartbeat: ping b'\\xbb\\xbb\\xbb\\xbb\\xbb\\xbb'" in out


def test_provision_example_with_a_phone(firmware: Path) -> None:
    result = netman_run("--firmware", str(firmware), "--quiet-air", "--mac", "provision=02:00:00:00:12:34",
                        str(REPO / "examples/provision.toml"), str(REPO / "examples/provision.py"),
                        str(REPO / "examples/provision_phone.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert "[provision] netman: setup AP 'mpy-setup-1234' up; portal at http://127.100.1.1:8080/" in out
    assert "[provision_phone] probe answered: HTTP/1.1 302 Found Location: http://127.100.1.1:8080/" in out
    assert "[provision_phone] the page lists home" in out
    assert any(re.fullmatch(r"\[provision_phone\] the page says: Connected to home\. Address: 127\.77\.0\.\d+\..*", line)
               for line in out), out
    assert any(re.fullmatch(r"\[provision\] online at 127\.77\.0\.\d+", line) for line in out)
    assert "[provision] stored: Credential(ssid='home', psk=<hidden>)" in out
    assert "secret123" not in "\n".join(line for line in out if not line.startswith("[provision_phone]"))


def test_sniffer_presence_detector_sees_the_phone(firmware: Path) -> None:
    lines = run_example(firmware, "sniffer.py", "sniffer.toml", "sniffer_phone.py",
                        macs=("sniffer_phone=02:11:22:33:44:01",))
    assert "arrived: 02:11:22:33:44:01 rssi -45" in lines
    assert "present: 1" in lines
    listed = next(line for line in lines if line.startswith("02:11:22:33:44:01 rssi"))
    assert re.fullmatch(r"02:11:22:33:44:01 rssi -45 probes \d+ looking for \['home'\]", listed)
    assert re.fullmatch(r"frames \d+ dropped 0", lines[-1])
