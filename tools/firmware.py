#!/usr/bin/env python3
"""Build netman firmware for a board: MicroPython's own port build, run in the
user's upstream checkout (MICROPY_DIR) with our board definition
(boards/<BOARD>) and the _netman module (USER_C_MODULES = our CMakeLists.txt).

    tools/firmware.py --board RPI_PICO_W --micropy-dir ~/micropython

The image lands in build/firmware/<BOARD>[-<VARIANT>]/ and its size is
printed. Each board (and variant) has its own build directory: MicroPython's
CMake ports keep the USER_C_MODULES of an existing build directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Port:
    name: str
    # Submodules the port's build reads; each must be checked out.
    submodules: tuple[str, ...]
    image: str


PORTS = {
    "rp2": Port(
        "rp2",
        ("lib/pico-sdk", "lib/cyw43-driver", "lib/lwip", "lib/tinyusb", "lib/mbedtls", "lib/btstack",
         "lib/micropython-lib"),
        "firmware.uf2",
    ),
    "esp32": Port("esp32", ("lib/berkeley-db-1.xx", "lib/micropython-lib"), "firmware.bin"),
}


class FirmwareError(Exception):
    pass


def board_port(board: str) -> Port:
    board_dir = ROOT / "boards" / board
    known = sorted(p.name for p in (ROOT / "boards").iterdir() if (p / "mpconfigboard.cmake").is_file())
    if not board:
        raise FirmwareError(f"give BOARD=<name>; the boards are: {', '.join(known)}")
    if board == "host":
        raise FirmwareError("BOARD=host is the desktop build: use `make host`")
    if not (board_dir / "mpconfigboard.cmake").is_file():
        raise FirmwareError(f"BOARD={board!r} is not a netman board; the boards are: {', '.join(known)}")
    return PORTS["rp2"] if board.startswith("RPI_") else PORTS["esp32"]


def check_variant(board: str, variant: str) -> None:
    if variant and not (ROOT / "boards" / board / f"mpconfigvariant_{variant}.cmake").is_file():
        variants = sorted(p.stem.removeprefix("mpconfigvariant_")
                          for p in (ROOT / "boards" / board).glob("mpconfigvariant_*.cmake"))
        raise FirmwareError(f"BOARD_VARIANT={variant!r}: {board} has "
                            + (f"the variants {', '.join(variants)}" if variants else "no variants"))


def check_micropython(micropy_dir: str, port: Port) -> Path:
    if not micropy_dir:
        raise FirmwareError("MICROPY_DIR is not set: give the path of an upstream MicroPython checkout "
                            "with its submodules (README: Build your firmware)")
    tree = Path(micropy_dir).expanduser().resolve()
    if not tree.is_dir():
        raise FirmwareError(f"MICROPY_DIR={micropy_dir}: no such directory")
    if not (tree / "py" / "mpconfig.h").is_file() or not (tree / "ports" / port.name / "Makefile").is_file():
        raise FirmwareError(f"MICROPY_DIR={micropy_dir} is not a MicroPython checkout "
                            f"(no py/mpconfig.h or ports/{port.name}/Makefile)")
    missing = [s for s in port.submodules if not (tree / s).is_dir() or not any((tree / s).iterdir())]
    if missing:
        raise FirmwareError(f"MICROPY_DIR={micropy_dir} lacks the submodules {', '.join(missing)}: run "
                            f"`make -C {tree / 'ports' / port.name} BOARD=<board> submodules` there")
    return tree


def check_sdk(port: Port, env: dict[str, str]) -> None:
    """The vendor SDK: rp2 uses MicroPython's lib/pico-sdk unless PICO_SDK_PATH
    names another; esp32 needs ESP-IDF from the user."""
    if port.name == "rp2":
        pico_sdk = env.get("PICO_SDK_PATH")
        if pico_sdk and not (Path(pico_sdk) / "pico_sdk_init.cmake").is_file():
            raise FirmwareError(f"PICO_SDK_PATH={pico_sdk} is not a pico-sdk (no pico_sdk_init.cmake)")
        return
    idf = env.get("IDF_PATH")
    if not idf:
        raise FirmwareError("IDF_PATH is not set: install ESP-IDF 5.x and source its export.sh "
                            "(the version MicroPython's ports/esp32/README.md names)")
    if not (Path(idf) / "tools" / "idf.py").is_file():
        raise FirmwareError(f"IDF_PATH={idf} is not an ESP-IDF tree (no tools/idf.py)")
    if shutil.which("idf.py", path=env.get("PATH")) is None:
        raise FirmwareError("idf.py is not on PATH: source $IDF_PATH/export.sh first")


def run(command: list[str], env: dict[str, str]) -> None:
    print("+", " ".join(command), flush=True)
    if subprocess.run(command, env=env).returncode != 0:
        raise FirmwareError(f"the build failed: {' '.join(command[:3])} ...")


def report(build: Path, port: Port) -> None:
    image = build / port.image
    if not image.is_file():
        raise FirmwareError(f"the build finished without {image}")
    print(f"{image}: {image.stat().st_size} bytes")
    elf = build / "firmware.elf"
    size_tool = shutil.which("arm-none-eabi-size")
    if port.name == "rp2" and elf.is_file() and size_tool:
        subprocess.run([size_tool, str(elf)], check=False)


def build(board: str, variant: str, micropy_dir: str, jobs: int) -> None:
    port = board_port(board)
    check_variant(board, variant)
    tree = check_micropython(micropy_dir, port)
    env = dict(os.environ)
    check_sdk(port, env)
    out = ROOT / "build" / "firmware" / (f"{board}-{variant}" if variant else board)
    run(["make", "-C", str(tree / "mpy-cross"), f"-j{jobs}"], env)
    command = ["make", "-C", str(tree / "ports" / port.name), f"-j{jobs}",
               f"BOARD={board}", f"BOARD_DIR={ROOT / 'boards' / board}", f"BUILD={out}",
               f"USER_C_MODULES={ROOT / 'CMakeLists.txt'}"]
    if variant:
        command.append(f"BOARD_VARIANT={variant}")
    run(command, env)
    report(out, port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--board", required=True)
    parser.add_argument("--variant", default="")
    parser.add_argument("--micropy-dir", default=os.environ.get("MICROPY_DIR", ""))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    try:
        build(args.board, args.variant, args.micropy_dir, args.jobs)
    except FirmwareError as e:
        print(f"make firmware: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
