#!/usr/bin/env python3
"""Build netman firmware for a board: MicroPython's own port build, run in the
user's upstream checkout (MICROPY_DIR) with our board definition
(boards/<BOARD>) and the _netman module (USER_C_MODULES = our CMakeLists.txt).

    tools/firmware.py --board RPI_PICO_W --micropy-dir ~/micropython [--compare]

The image lands in build/firmware/<BOARD>[-<VARIANT>]/ with its size
(text/data/bss of the ELF). Each board, variant and MicroPython tree has its
own build directory below that: MicroPython's CMake ports keep the
USER_C_MODULES and the source tree of an existing build directory, so a build
directory shared by two trees would silently relink the first tree's objects.
--compare also builds MicroPython's own board of the same name, without netman,
from the same tree (its image: stock-<image> beside ours), and states what
netman costs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import struct
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
    elf: str


PORTS = {
    "rp2": Port(
        "rp2",
        ("lib/pico-sdk", "lib/cyw43-driver", "lib/lwip", "lib/tinyusb", "lib/mbedtls", "lib/btstack",
         "lib/micropython-lib"),
        "firmware.uf2",
        "firmware.elf",
    ),
    "esp32": Port("esp32", ("lib/berkeley-db-1.xx", "lib/micropython-lib"), "firmware.bin", "micropython.elf"),
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


@dataclass(frozen=True)
class Size:
    """What binutils' `size` (Berkeley format) reports: flash in text, RAM in data + bss."""
    text: int
    data: int
    bss: int


def elf_size(elf: Path) -> Size:
    """Sums an ELF's allocated sections as binutils' berkeley_sum does: code or read-only
    sections are text, other sections with contents data, the rest (NOBITS) bss. Plain
    section headers, so one function serves the Arm, RISC-V and Xtensa images."""
    blob = elf.read_bytes()
    if blob[:4] != b"\x7fELF" or blob[4] != 1:
        raise FirmwareError(f"{elf} is not a 32-bit ELF file")
    order = "<" if blob[5] == 1 else ">"
    shoff, = struct.unpack_from(order + "I", blob, 0x20)
    shentsize, shnum = struct.unpack_from(order + "HH", blob, 0x2E)
    text = data = bss = 0
    for index in range(shnum):
        _, kind, flags, _, _, size = struct.unpack_from(order + "IIIIII", blob, shoff + index * shentsize)
        if not flags & 0x2:  # SHF_ALLOC
            continue
        if flags & 0x4 or not flags & 0x1:  # SHF_EXECINSTR, or not SHF_WRITE
            text += size
        elif kind != 8:  # not SHT_NOBITS
            data += size
        else:
            bss += size
    return Size(text, data, bss)


def tree_description(tree: Path) -> str:
    """The tree's path and, when it is a git checkout, its `git describe`."""
    described = subprocess.run(["git", "-C", str(tree), "describe", "--tags", "--always", "--dirty"],
                               capture_output=True, text=True)
    return f"{tree} ({described.stdout.strip()})" if described.returncode == 0 else str(tree)


def build_dir(out: Path, tree: Path, kind: str) -> Path:
    """One build directory per MicroPython tree: <out>/<kind>-<tree's name>-<hash of its path>."""
    key = hashlib.sha256(str(tree).encode()).hexdigest()[:8]
    return out / f"{kind}-{tree.name}-{key}"


def built(build: Path, port: Port) -> tuple[Path, Path]:
    image, elf = build / port.image, build / port.elf
    for path in (image, elf):
        if not path.is_file():
            raise FirmwareError(f"the build finished without {path}")
    return image, elf


def publish(build: Path, out: Path, port: Port) -> Size:
    """Copies the image and its ELF to <out>/, where users and the workflow take them, and
    prints their size."""
    image, elf = built(build, port)
    for source in (image, elf):
        shutil.copy2(source, out / source.name)
    size = elf_size(elf)
    print(f"{out / image.name}: {image.stat().st_size} bytes; text {size.text}, data {size.data}, bss {size.bss}")
    return size


def port_build(tree: Path, port: Port, board: str, variant: str, build: Path, jobs: int, env: dict[str, str],
               netman: bool) -> None:
    command = ["make", "-C", str(tree / "ports" / port.name), f"-j{jobs}", f"BOARD={board}", f"BUILD={build}"]
    if netman:
        command += [f"BOARD_DIR={ROOT / 'boards' / board}", f"USER_C_MODULES={ROOT / 'CMakeLists.txt'}"]
    if variant:
        command.append(f"BOARD_VARIANT={variant}")
    run(command, env)


def stock_variant(tree: Path, port: Port, board: str, variant: str) -> str:
    """The variant of MicroPython's own board to compare with: the same one, when upstream has it."""
    upstream = tree / "ports" / port.name / "boards" / board
    if not (upstream / "mpconfigboard.cmake").is_file():
        raise FirmwareError(f"COMPARE=1: MicroPython has no board {board} in {upstream.parent}")
    if variant and not (upstream / f"mpconfigvariant_{variant}.cmake").is_file():
        print(f"make firmware: MicroPython's {board} has no variant {variant}; comparing with its default")
        return ""
    return variant


def compare(tree: Path, port: Port, board: str, variant: str, out: Path, jobs: int, env: dict[str, str],
            netman: Size) -> None:
    variant = stock_variant(tree, port, board, variant)
    build = build_dir(out, tree, "stock")
    port_build(tree, port, board, variant, build, jobs, env, netman=False)
    image, elf = built(build, port)
    shutil.copy2(image, out / f"stock-{image.name}")
    stock = elf_size(elf)
    name = f"{board}-{variant}" if variant else board
    print(f"stock {name}: {out / ('stock-' + image.name)}: {image.stat().st_size} bytes; "
          f"text {stock.text}, data {stock.data}, bss {stock.bss}")
    print(f"netman costs {netman.text - stock.text:+} bytes of flash (text) and "
          f"{netman.data + netman.bss - stock.data - stock.bss:+} bytes of static RAM (data+bss) "
          f"against stock MicroPython {name} from the same tree")


def build(board: str, variant: str, micropy_dir: str, jobs: int, with_compare: bool = False) -> None:
    port = board_port(board)
    check_variant(board, variant)
    tree = check_micropython(micropy_dir, port)
    env = dict(os.environ)
    check_sdk(port, env)
    out = ROOT / "build" / "firmware" / (f"{board}-{variant}" if variant else board)
    netman_build = build_dir(out, tree, "netman")
    print(f"make firmware: MicroPython tree {tree_description(tree)}; build directory {netman_build}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    # The images of an earlier build (maybe from another tree) go first: a failed build leaves none.
    for stale in (out / port.image, out / port.elf, out / f"stock-{port.image}"):
        stale.unlink(missing_ok=True)
    run(["make", "-C", str(tree / "mpy-cross"), f"-j{jobs}"], env)
    port_build(tree, port, board, variant, netman_build, jobs, env, netman=True)
    size = publish(netman_build, out, port)
    if with_compare:
        compare(tree, port, board, variant, out, jobs, env, size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--board", required=True)
    parser.add_argument("--variant", default="")
    parser.add_argument("--micropy-dir", default=os.environ.get("MICROPY_DIR", ""))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compare", action="store_true",
                        help="also build stock MicroPython's board and print what netman costs")
    args = parser.parse_args()
    try:
        build(args.board, args.variant, args.micropy_dir, args.jobs, args.compare)
    except FirmwareError as e:
        print(f"make firmware: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
