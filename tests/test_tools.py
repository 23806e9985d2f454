"""The user-facing commands: the demo, netman-run, and the build itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def netman_run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "tools" / "netman-run"), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_demo_shows_connect_loss_and_reconnect(firmware: Path) -> None:
    result = netman_run("--firmware", str(firmware), str(REPO / "examples/demo.toml"), str(REPO / "examples/demo.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    demo = [line for line in result.stdout.splitlines() if line.startswith("[demo] ")]
    kinds = [line.split()[1] for line in demo]
    # connected -> got_ip -> (AP goes) beacon timeout -> disconnected -> connected -> got_ip
    assert kinds[:2] == ["started,", "connected"]
    order = [k for k in kinds if k in ("connected", "got_ip", "beacon", "disconnected:")]
    assert order == ["connected", "got_ip", "beacon", "disconnected:", "connected", "got_ip"]
    assert re.search(r"got_ip 127\.\d+\.\d+\.\d+ netmask", result.stdout)
    assert "[air] netsim: ap_down ssid=netman-demo" in result.stdout


def test_netman_run_prefixes_output_and_returns_device_status(firmware: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text('[[ap]]\nssid = "lab"\n')
    ok = tmp_path / "ok.py"
    ok.write_text("import netman, time\n"
                  "netman.start(sta={'ssid': 'lab', 'got_ip': lambda ip: print('ip', ip[0])})\n"
                  "while netman.sta_status() != 'connected':\n    time.sleep_ms(10)\n"
                  "time.sleep_ms(50)\n")
    failing = tmp_path / "failing.py"
    failing.write_text("import sys\nprint('about to fail')\nsys.exit(3)\n")
    result = netman_run("--firmware", str(firmware), "--quiet-air", str(scenario), str(ok), str(failing), str(ok))
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    assert "[failing] about to fail" in lines
    assert any(re.fullmatch(r"\[ok\] ip 127\.\d+\.\d+\.\d+", line) for line in lines)
    assert any(re.fullmatch(r"\[ok-2\] ip 127\.\d+\.\d+\.\d+", line) for line in lines)
    assert not any(line.startswith("[air]") for line in lines)


def test_netman_run_timeout_stops_devices(firmware: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text("")
    forever = tmp_path / "forever.py"
    forever.write_text("import time\nwhile True:\n    time.sleep_ms(100)\n")
    result = netman_run("--firmware", str(firmware), "--timeout", "1", str(scenario), str(forever), timeout=30)
    assert result.returncode == 124
    assert "timeout after 1.0s" in result.stdout


def test_netman_run_reports_missing_files(firmware: Path, tmp_path: Path) -> None:
    result = netman_run("--firmware", str(firmware), str(tmp_path / "none.toml"), str(tmp_path / "none.py"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_firmware_has_the_promised_modules(firmware: Path) -> None:
    code = ("import asyncio, socket, select, json, time, _thread, tls, _netman, netman, netman._config\n"
            "print(netman.__file__, netman.__version__)")
    result = subprocess.run([str(firmware), "-c", code], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    # Frozen, not loaded from the file system.
    assert result.stdout.startswith("netman/__init__.py ")


def test_second_make_compiles_nothing() -> None:
    # The first make builds what is missing (`make test-asan` alone has built
    # only the sanitized firmware); the second must find nothing to do.
    first = subprocess.run(["make", "host"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    result = subprocess.run(["make", "host"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = [line for line in result.stdout.splitlines() if line.startswith(("CC ", "LINK "))]
    assert compiled == []


def test_touching_one_c_file_recompiles_only_that_file() -> None:
    source = REPO / "ports" / "host" / "air_wire.c"
    source.touch()
    result = subprocess.run(["make", "host"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("CC ")]
    assert compiled == [str(source)]
    assert any(line.startswith("LINK ") for line in result.stdout.splitlines())


def make_firmware(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", "-C", str(REPO), "firmware", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def fake_micropython(root: Path, port: str, submodules: list[str]) -> Path:
    """A tree that looks like a MicroPython checkout to `make firmware`."""
    (root / "py").mkdir(parents=True)
    (root / "py" / "mpconfig.h").write_text("")
    (root / "ports" / port).mkdir(parents=True)
    (root / "ports" / port / "Makefile").write_text("")
    for sub in submodules:
        (root / sub).mkdir(parents=True)
        (root / sub / "README").write_text("")
    return root


def test_make_firmware_needs_a_netman_board() -> None:
    result = make_firmware("BOARD=NO_SUCH_BOARD", "MICROPY_DIR=/nonexistent")
    assert result.returncode != 0
    assert "BOARD='NO_SUCH_BOARD' is not a netman board" in result.stderr
    assert "RPI_PICO_W" in result.stderr and "ESP32_GENERIC_C3" in result.stderr
    assert "make host" in make_firmware("BOARD=host").stderr
    variant = make_firmware("BOARD=RPI_PICO_W", "BOARD_VARIANT=SPIRAM", "MICROPY_DIR=/nonexistent").stderr
    assert "BOARD_VARIANT='SPIRAM': RPI_PICO_W has no variants" in variant


def test_make_firmware_checks_the_micropython_checkout(tmp_path: Path) -> None:
    assert "MICROPY_DIR is not set" in make_firmware("BOARD=RPI_PICO_W").stderr
    assert "no such directory" in make_firmware("BOARD=RPI_PICO_W", f"MICROPY_DIR={tmp_path / 'nope'}").stderr
    assert "is not a MicroPython checkout" in make_firmware("BOARD=RPI_PICO_W", f"MICROPY_DIR={tmp_path}").stderr
    tree = fake_micropython(tmp_path / "mp", "rp2", ["lib/pico-sdk", "lib/lwip"])
    missing = make_firmware("BOARD=RPI_PICO_W", f"MICROPY_DIR={tree}").stderr
    assert "lacks the submodules lib/cyw43-driver, lib/tinyusb" in missing
    assert "submodules` there" in missing


def test_make_firmware_for_esp32_needs_esp_idf(tmp_path: Path) -> None:
    tree = fake_micropython(tmp_path / "mp", "esp32", ["lib/berkeley-db-1.xx", "lib/micropython-lib"])
    env = {k: v for k, v in os.environ.items() if k != "IDF_PATH"}
    result = make_firmware("BOARD=ESP32_GENERIC_C3", f"MICROPY_DIR={tree}", env=env)
    assert "IDF_PATH is not set" in result.stderr
    result = make_firmware("BOARD=ESP32_GENERIC_C3", f"MICROPY_DIR={tree}", env={**env, "IDF_PATH": str(tmp_path)})
    assert "is not an ESP-IDF tree" in result.stderr
