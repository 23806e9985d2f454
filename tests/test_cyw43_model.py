"""The CYW43439 model's unit tests (tests/emu/cyw43/test/, Node.js's own test
runner): bus decoding, backplane, SDPCM framing and credits, async-event
encoding, the firmware's answers, the gateway, the PIO attachment. They need
Node.js only, no firmware image; the scenario tests on the emulated Pico W
are `make test-emu`'s."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import json

import pytest
from netsim import protocol

MODEL = Path(__file__).resolve().parent / "emu" / "cyw43"
TEST_FILES = sorted((MODEL / "test").glob("*.test.js"))


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.fail("Node.js is needed for the CYW43439 model's tests: apt-get install nodejs (.ci/run installs it)",
                    pytrace=False)
    return found


def test_the_model_has_unit_tests() -> None:
    assert {p.name for p in TEST_FILES} >= {"bus.test.js", "sdpcm.test.js", "firmware.test.js", "gateway.test.js",
                                              "pio.test.js", "dump.test.js", "tcp.test.js", "air.test.js"}


def test_every_switch_is_documented() -> None:
    names = subprocess.run([node(), "-e", "console.log(Object.keys(require('./switches').SWITCHES).join(' '))"],
                           cwd=MODEL, capture_output=True, text=True, check=True).stdout.split()
    readme = (MODEL.parent / "README.md").read_text()
    assert names and [name for name in names if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("test_file", TEST_FILES, ids=[p.stem for p in TEST_FILES])
def test_cyw43_model(test_file: Path) -> None:
    result = subprocess.run([node(), "--test", str(test_file)], cwd=MODEL, capture_output=True, text=True, timeout=120)
    summary = [line for line in result.stdout.splitlines() if line.startswith(("# pass", "# fail", "not ok"))]
    assert result.returncode == 0, "\n".join([*summary, result.stdout[-4000:], result.stderr[-2000:]])
    assert "# fail 0" in result.stdout, "\n".join(summary)


def test_the_models_netsim_client_speaks_the_airs_protocol() -> None:
    """tests/emu/cyw43/netsim.js is a second implementation of the device side: its version and
    message codes must be tools/netsim/protocol.py's."""
    script = "const n = require('./netsim'); console.log(JSON.stringify({version: n.VERSION, to: n.TO_AIR, from: n.FROM_AIR}))"
    spoken = json.loads(subprocess.run([node(), "-e", script], cwd=MODEL, capture_output=True, text=True, check=True).stdout)
    assert spoken["version"] == protocol.VERSION
    assert {name: code for name, code in spoken["to"].items() if getattr(protocol, name.upper(), None) != code} == {}
    assert {code: name for code, name in spoken["from"].items() if getattr(protocol, name.upper(), None) != int(code)} == {}
