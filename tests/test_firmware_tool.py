"""tools/firmware.py without a board toolchain: the size it reports is binutils' `size` (Berkeley
format) of the ELF, and each MicroPython tree gets its own build directory, so `make firmware` with
another MICROPY_DIR cannot relink the old tree's objects."""

import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import firmware  # noqa: E402

SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHT_PROGBITS, SHT_NOBITS = 1, 8


def write_elf(path: Path, sections: list[tuple[int, int, int]], big_endian: bool = False) -> Path:
    """A 32-bit ELF holding only section headers: (type, flags, size) each, after the null one."""
    order = ">" if big_endian else "<"
    headers = [(0, 0, 0)] + sections
    shoff = 52
    ident = b"\x7fELF" + bytes([1, 2 if big_endian else 1, 1]) + bytes(9)
    header = ident + struct.pack(order + "HHIIIIIHHHHHH", 2, 40, 1, 0, 0, shoff, 0, 52, 0, 0, 40, len(headers), 0)
    body = b"".join(struct.pack(order + "IIIIIIIIII", 0, kind, flags, 0, 0, size, 0, 0, 4, 0)
                    for kind, flags, size in headers)
    path.write_bytes(header + body)
    return path


def test_elf_size_sums_sections_as_binutils_size_does(tmp_path: Path) -> None:
    elf = write_elf(tmp_path / "a.elf", [
        (SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 1000),  # .text
        (SHT_PROGBITS, SHF_ALLOC, 200),  # .rodata: read-only counts as text
        (SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 30),  # .data
        (SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 4000),  # .bss
        (SHT_PROGBITS, 0, 99999),  # .debug_info: not allocated, not counted
    ])
    assert firmware.elf_size(elf) == firmware.Size(text=1200, data=30, bss=4000)
    big = write_elf(tmp_path / "b.elf", [(SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8)], big_endian=True)
    assert firmware.elf_size(big) == firmware.Size(text=8, data=0, bss=0)


def test_elf_size_refuses_what_is_not_an_elf(tmp_path: Path) -> None:
    (tmp_path / "x.elf").write_bytes(b"not an elf at all, not at all")
    with pytest.raises(firmware.FirmwareError, match="not a 32-bit ELF"):
        firmware.elf_size(tmp_path / "x.elf")


def test_each_tree_has_its_own_build_directory(tmp_path: Path) -> None:
    out = tmp_path / "RPI_PICO_W"
    v128, newer = tmp_path / "v1.28.0" / "micropython", tmp_path / "af47daf3b0" / "micropython"
    assert firmware.build_dir(out, v128, "netman") != firmware.build_dir(out, newer, "netman")
    assert firmware.build_dir(out, v128, "netman") == firmware.build_dir(out, v128, "netman")
    assert firmware.build_dir(out, v128, "netman") != firmware.build_dir(out, v128, "stock")
    assert firmware.build_dir(out, v128, "netman").parent == out
    assert firmware.build_dir(out, v128, "netman").name.startswith("netman-micropython-")
