"""The ESP32 port's decisions (ports/esp32/esp32_rules.c: reason mapping,
which driver events belong to the core's session, how netman takes the driver
from MicroPython's network module, when mDNS waits for the event loop) over the
event sequences ESP-IDF produces: tests/esp32/test_rules.c, compiled for the
host with the machine's C compiler and run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import REPO


def test_esp32_rules_over_idf_event_sequences(tmp_path: Path) -> None:
    compiler = os.environ.get("CC") or shutil.which("cc") or "gcc"
    binary = tmp_path / "test_rules"
    build = subprocess.run(
        [compiler, "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1",
         "-I", str(REPO / "cmod" / "netman"), "-I", str(REPO / "ports" / "esp32"),
         str(REPO / "ports" / "esp32" / "esp32_rules.c"), str(REPO / "tests" / "esp32" / "test_rules.c"),
         "-o", str(binary)],
        capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60)
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == [] and run.returncode == 0, run.stdout
    checks = [line for line in run.stdout.splitlines() if line.startswith("ok ")]
    assert len(checks) >= 60, run.stdout
