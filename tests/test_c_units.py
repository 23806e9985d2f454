"""The plain-C parts of netman (what a driver sample or an air frame means,
parsers of hostile input) compiled on the host with the sanitizers and run:
one binary per tests/c/test_*.c."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UNITS = sorted((REPO / "tests" / "c").glob("test_*.c"))
FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=all"]


def _listed(source: Path, what: str) -> list[str]:
    found = re.search(rf"^// {what}:(.*)$", source.read_text(), re.MULTILINE)
    return found.group(1).split() if found else []


@pytest.mark.parametrize("unit", UNITS, ids=[u.stem for u in UNITS])
def test_c_unit(unit: Path, tmp_path: Path) -> None:
    compiler = shlex.split(os.environ.get("CC", "cc"))
    sources = [str(REPO / s) for s in _listed(unit, "sources")]
    includes = [f"-I{REPO / d}" for d in _listed(unit, "include")] + [f"-I{REPO / 'tests' / 'c'}"]
    binary = tmp_path / unit.stem
    build = subprocess.run([*compiler, *FLAGS, *includes, str(unit), *sources, "-o", str(binary)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "ASAN_OPTIONS": "detect_leaks=1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all checks passed" in run.stdout
