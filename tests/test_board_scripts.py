"""The board-side scripts of the device smoke test (tests/device) run on the
host firmware against netsim: what `make test-device` checks on a board is
checked here on every run, so the scripts themselves are known to work."""

from __future__ import annotations

from pathlib import Path

from conftest import DEFAULT_SCENARIO
from device.boardlib import STA_CHECKS, checks, with_settings
from test_tools import netman_run


def outputs(result_stdout: str, name: str) -> list[str]:
    prefix = f"[{Path(name).stem}] "
    return [line[len(prefix):] for line in result_stdout.splitlines() if line.startswith(prefix)]


def test_station_smoke_script_passes_against_the_air(firmware: Path, tmp_path: Path) -> None:
    air = tmp_path / "air.toml"
    air.write_text(DEFAULT_SCENARIO)
    script = with_settings("board_smoke.py", tmp_path, SSID="home", PSK="secret123")
    result = netman_run("--firmware", str(firmware), "--quiet-air", str(air), str(script))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = outputs(result.stdout, "board_smoke.py")
    assert lines[-1] == "DONE", lines
    verdicts = checks(lines)
    assert set(verdicts) == STA_CHECKS
    assert all(verdict == "ok" for verdict in verdicts.values()), verdicts
    assert "secret123" not in result.stdout + result.stderr


def test_espnow_ping_scripts_echo_between_two_devices(firmware: Path, tmp_path: Path) -> None:
    air = tmp_path / "air.toml"
    air.write_text("")
    echo = with_settings("board_espnow_echo.py", tmp_path)
    ping = with_settings("board_espnow_ping.py", tmp_path, PEER=bytes.fromhex("02000000000b"), COUNT=5)
    result = netman_run("--firmware", str(firmware), "--quiet-air", "--mac", "board_espnow_echo=02:00:00:00:00:0b",
                        str(air), str(echo), str(ping))
    assert result.returncode == 0, result.stdout + result.stderr
    mac, echoed = outputs(result.stdout, "board_espnow_echo.py")
    assert mac == "MAC 02000000000b"
    assert int(echoed.removeprefix("ECHOED ")) >= 6  # at least one knock and the five pings
    assert outputs(result.stdout, "board_espnow_ping.py") == ["CHECK espnow_ping ok", "DONE"]
