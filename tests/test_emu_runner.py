"""The RP2040 emulator runner's unit tests (tests/emu/test, Node's test runner): UF2 parsing, the
boot ROM's function table, the flash erase/program the runner applies, power cycles, the device
hook. They need no firmware image and no boot ROM; the boot test itself is `make test-emu`. (The
CYW43439 model's own tests: tests/test_cyw43_model.py.)"""

import shutil
import subprocess
from pathlib import Path

EMU = Path(__file__).resolve().parent / "emu"


def test_emulator_unit_tests_pass():
    node = shutil.which("node")
    assert node, "node is missing: `make test` installs Debian's nodejs"
    result = subprocess.run([node, "--test", "test/"], cwd=EMU, capture_output=True, text=True, timeout=300)
    summary = [line for line in result.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert result.returncode == 0, "\n".join(summary) + "\n" + result.stdout[-4000:] + result.stderr[-2000:]
    assert "# pass 0" not in summary, "no emulator unit test ran"
