"""What the device smoke test (test_board.py) and its host-firmware run
(tests/test_board_scripts.py) share: a board script with its settings in
front, and the CHECK lines it prints."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STA_CHECKS = {"status_walk", "callbacks", "got_ip", "rssi", "scan", "scan_fields", "disconnect", "stop",
              "stopped_error"}


def with_settings(name: str, folder: Path, **settings: object) -> Path:
    """tests/device/<name> with `KEY = value` lines in front, written to folder."""
    path = folder / name
    head = "".join(f"{key} = {value!r}\n" for key, value in settings.items())
    path.write_text(head + (HERE / name).read_text())
    return path


def checks(lines: list[str]) -> dict[str, str]:
    """The verdicts of a finished script's `CHECK <name> <verdict>` lines."""
    assert "DONE" in lines, "the board script did not finish:\n" + "\n".join(lines[-20:])
    found = {}
    for line in lines:
        if line.startswith("CHECK "):
            name, _, verdict = line[6:].partition(" ")
            found[name] = verdict
    return found
