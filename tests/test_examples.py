"""The example applications run as a user would run them, with netman-run."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO
from test_tools import netman_run


def run_example(firmware: Path, name: str, scenario: str) -> list[str]:
    result = netman_run("--firmware", str(firmware), "--quiet-air",
                        str(REPO / "examples" / scenario), str(REPO / "examples" / name))
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
