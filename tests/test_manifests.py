"""What the board manifests freeze: the Pico W / Pico 2 W images carry the
whole facade except ESP-NOW, whose stubs (boards/no_espnow) raise what the
full modules raise on a radio without it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DeviceFactory

REPO = Path(__file__).resolve().parent.parent
ESPNOW_MODULES = {"netman/espnow.py", "netman/aioespnow.py"}


def frozen(manifest: Path) -> dict[str, Path]:
    """The files a manifest freezes from this repository: {frozen path: source}."""
    found: dict[str, Path] = {}
    here = manifest.resolve().parent

    def package(name: str, files: tuple[str, ...] = (), base_path: str = ".") -> None:
        folder = (here / base_path / name).resolve()
        for file in files or [p.name for p in folder.glob("*.py")]:
            found[f"{name}/{file}"] = folder / file

    def module(path: str, base_path: str = ".") -> None:
        found[path] = (here / base_path / path).resolve()

    def include(path: str) -> None:
        if not path.startswith("$("):  # MicroPython's own manifests freeze nothing of ours
            found.update(frozen(here / path))

    exec(manifest.read_text(), {"package": package, "module": module, "include": include})
    return found


def test_pico_boards_freeze_every_facade_module_but_espnow_and_the_stubs_instead() -> None:
    facade = {f"netman/{p.name}" for p in (REPO / "python" / "netman").glob("*.py")}
    for board in ("RPI_PICO_W", "RPI_PICO2_W"):
        files = frozen(REPO / "boards" / board / "manifest.py")
        assert set(files) == facade, board
        for path, source in files.items():
            assert source.is_file(), source
            home = REPO / "boards" / "no_espnow" if path in ESPNOW_MODULES else REPO / "python"
            assert source == home / path, (board, path)


def test_the_stubs_raise_enodev_as_the_full_module_does_without_the_radio(device: DeviceFactory,
                                                                             tmp_path: Path) -> None:
    # The stubs as a package of their own (the host firmware's frozen netman has ESP-NOW).
    shutil.copytree(REPO / "boards" / "no_espnow" / "netman", tmp_path / "stub")
    dev = device("""
import errno
from stub.espnow import ESPNow
from stub.aioespnow import AIOESPNow
for make in (ESPNow, AIOESPNow):
    try:
        make()
        print("no error")
    except OSError as error:
        print(error.errno == errno.ENODEV, error.args[1])
""", air=None, env={"MICROPYPATH": f".frozen:{tmp_path}"})
    assert dev.wait_exit() == 0, dev.output
    assert dev.output.splitlines() == ["True ESP-NOW: this board's radio has no ESP-NOW (ENODEV)"] * 2
