"""The type stubs (stubs/) against the examples, the facade and the README.

mypy (pinned in requirements-dev.txt) checks examples/ as an editor would
see them: with our stubs and MicroPython's own unix-port stubs
(requirements-typings.txt, installed by make test into build/typings, as
users install theirs with pip --target). So the stubs and the examples
cannot drift apart; the other tests here keep the stubs in step with the
facade's public names and the documented NetError reasons.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

STUBS = REPO / "stubs"
TYPINGS = Path(os.environ.get("NETMAN_TYPINGS", REPO / "build" / "typings"))
FACADE = REPO / "python" / "netman"


def mypy(*targets: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if not (TYPINGS / "time.pyi").is_file():
        pytest.fail(f"MicroPython's stubs are not in {TYPINGS}: run 'make test'", pytrace=False)
    config = REPO / "build" / "mypy.ini"
    config.write_text("[mypy]\n"
                      f"mypy_path = {STUBS}:{STUBS / 'host'}:{TYPINGS}\n"
                      "check_untyped_defs = True\n"
                      "strict_equality = True\n"
                      "warn_unused_ignores = True\n"
                      f"cache_dir = {REPO / 'build' / 'mypy-cache'}\n"
                      # MicroPython's stubs package has its own loose ends; not ours to check.
                      "[mypy-_mpy_shed.*]\nignore_errors = True\n")
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--no-error-summary",
                           *map(str, targets)], capture_output=True, text=True, cwd=cwd or REPO, timeout=300)


def test_the_examples_type_check_against_the_stubs() -> None:
    examples = sorted((REPO / "examples").glob("*.py"))
    assert len(examples) >= 10
    result = mypy(*examples)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stubs_themselves_are_valid() -> None:
    result = mypy(*sorted(STUBS.rglob("*.pyi")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_type_check_catches_what_the_stubs_forbid(tmp_path: Path) -> None:
    # Each case is wrong on its last line.
    cases = [
        "netman.start(sta={'ssid': 'home', 'pks': 'secret123'})",             # misspelt key
        "netman.start(sta={'ssid': 'home', 'got_ip': lambda: None})",         # got_ip takes ip_info
        "netman.start(ap={'ssid': 'x', 'sta_connected': lambda mac, x: 0})",  # sta_connected takes mac
        "netman.wifi_scan(dwell='long')",                                     # dwell is an int
        "try:\n    netman.wait_for_sta()\nexcept netman.NetError as e:\n    e.reason == 'timout'",
        "netman.aio.wait_for_sta(timeout=5)",                                 # it is timeout_ms
        "netman.espnow.ESPNow().add_peer(b'\\xbb' * 6, lmk=5)",              # lmk is bytes or str
        "netman.credentials.store(sta='home')",                               # a (ssid, psk) pair
        "network.WLAN(network.STA_IF).connect('home', key=123)",
        "import espnow\nespnow.ESPNow().send(b'\\xbb' * 6, 42)",          # the host build's espnow: a message
    ]
    source, expected = "import netman\nimport network\n", set()
    for case in cases:
        source += case + "\n"
        expected.add(source.count("\n"))
    (tmp_path / "wrong.py").write_text(source)
    result = mypy(tmp_path / "wrong.py", cwd=tmp_path)
    flagged = {int(m) for m in re.findall(r"^wrong\.py:(\d+): error", result.stdout, re.M)}
    assert flagged == expected, result.stdout


def public_names(tree: ast.Module) -> dict[str, set[str]]:
    """{top-level public name: its public methods} of a module or stub."""
    names: dict[str, set[str]] = {}
    for node in tree.body:
        targets: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            targets = [node.name]
        elif isinstance(node, ast.ClassDef):
            names[node.name] = {item.name for item in node.body
                                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                                and (not item.name.startswith("_") or item.name in ("__init__", "__iter__",
                                                                                    "__next__", "__aiter__",
                                                                                    "__anext__"))}
            continue
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        for name in targets:
            names.setdefault(name, set())
    return {name: methods for name, methods in names.items() if not name.startswith("_") or name == "__version__"}


@pytest.mark.parametrize("module", ["__init__", "aio", "espnow", "aioespnow", "credentials", "sniffer", "pycom"])
def test_every_public_name_of_the_facade_has_a_stub(module: str) -> None:
    facade = public_names(ast.parse((FACADE / f"{module}.py").read_text()))
    stub = public_names(ast.parse((STUBS / "netman" / f"{module}.pyi").read_text()))
    missing = [name for name in facade if name not in stub]
    missing += [f"{name}.{method}" for name, methods in facade.items() if name in stub
                for method in methods - stub[name] - {"__init__"}]
    assert not missing, (f"add {missing} to stubs/netman/{module}.pyi "
                         "(the README's 'Editor support' says how)")


def reason_literal() -> set[str]:
    tree = ast.parse((STUBS / "netman" / "__init__.pyi").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "Reason" for t in node.targets):
            assert isinstance(node.value, ast.Subscript)
            return {elt.value for elt in ast.walk(node.value.slice) if isinstance(elt, ast.Constant)}
    raise AssertionError("no Reason in stubs/netman/__init__.pyi")


def test_the_netError_reasons_are_the_documented_ones() -> None:
    readme = (REPO / "README.md").read_text()
    row = re.search(r"^\| `netman\.NetError` \|.*`\.reason`: `([^`]+)`", readme, re.M)
    assert row, "the README's NetError row"
    assert reason_literal() == set(row.group(1).split())


def test_every_reason_the_code_raises_is_in_the_stubs() -> None:
    raised = set()
    for path in FACADE.glob("*.py"):
        raised |= set(re.findall(r"NetError\(\"(\w+)\"", path.read_text()))
    for path in (REPO / "cmod" / "netman").glob("*.c"):
        raised |= set(re.findall(r"netman_raise\(MP_QSTR_(\w+)", path.read_text()))
    # scan_take's "not_ready" never reaches the application: the facade takes
    # a scan only once it has finished.
    raised.discard("not_ready")
    assert raised, "found no raise at all: the patterns above are stale"
    assert raised <= reason_literal(), f"add {sorted(raised - reason_literal())} to Reason and the README"
