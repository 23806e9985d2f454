"""tools/debian-packages: what make demo / make test install, and how.

The script runs against stand-ins for dpkg-query, id, sudo and apt-get on
PATH, so every branch is exercised without touching this machine's packages.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

SCRIPT = REPO / "tools" / "debian-packages"


def packages(target: str) -> list[str]:
    result = subprocess.run([str(SCRIPT), target, "--list"], capture_output=True, text=True, check=True)
    return result.stdout.split()


class FakeSystem:
    """A PATH with stand-ins: `installed` packages are known to dpkg-query,
    `uid` is what id -u says, calls to sudo and apt-get are logged."""

    def __init__(self, root: Path, installed: list[str], uid: int, sudo: str | None = "ok",
                 apt_fails: bool = False) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "calls.log"
        db = root / "installed"
        db.write_text("".join(name + "\n" for name in installed))
        self.tool("dpkg-query", f'name="${{@: -1}}"; grep -qx "$name" {db} && printf "install ok installed" && exit 0; exit 1')
        self.tool("id", f'[ "$1" = -u ] && echo {uid}')
        self.tool("apt-get", f'echo "apt-get $*" >> {self.log}; echo "apt chatter: $2"; exit {1 if apt_fails else 0}')
        if sudo is not None:
            # sudo -n true: "ok" (no password needed) or "password" (one is).
            check = "exit 0" if sudo == "ok" else "exit 1"
            self.tool("sudo", f'if [ "$1" = -n ]; then {check}; fi; echo "sudo $1" >> {self.log}; exec "$@"')

    def tool(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text("#!/bin/bash\n" + body + "\n")
        path.chmod(0o755)

    def run(self, target: str) -> subprocess.CompletedProcess[str]:
        # Only the stand-ins and the basic tools the script uses (no real sudo).
        basics = self.bin.parent / "basics"
        basics.mkdir(exist_ok=True)
        for tool in ("bash", "env", "grep", "cut", "cat", "tail", "mktemp", "rm"):
            link = basics / tool
            if not link.exists():
                real = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
                link.symlink_to(real)
        env = {"PATH": f"{self.bin}:{basics}", "HOME": str(self.bin.parent)}
        return subprocess.run([str(SCRIPT), target], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def test_the_list_says_what_each_target_needs() -> None:
    demo, test = packages("demo"), packages("test")
    # Building the host firmware needs the compiler, the source unpacker and mbedTLS.
    for name in ("build-essential", "dpkg-dev", "patch", "pkg-config", "libmbedtls-dev", "python3"):
        assert name in demo
    # The test suite needs all of that, plus its own peers.
    assert set(demo) < set(test)
    assert "chrony" in test and "chrony" not in demo
    assert "python3-venv" in test


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    system = FakeSystem(tmp_path, packages("test"), uid=1000, sudo=None)
    result = system.run("test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert system.calls() == []


def test_root_installs_what_is_missing_and_says_why_in_one_line(tmp_path: Path) -> None:
    installed = [name for name in packages("test") if name not in ("libmbedtls-dev", "chrony")]
    system = FakeSystem(tmp_path, installed, uid=0, sudo=None)
    result = system.run("test")
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert re.fullmatch(r"netman: installing for 'make test': libmbedtls-dev \(.+\), chrony \(.+\)", line)
    assert system.calls() == ["apt-get -q update",
                              "apt-get -q install -y --no-install-recommends libmbedtls-dev chrony"]


def test_demo_installs_only_what_the_demo_needs(tmp_path: Path) -> None:
    system = FakeSystem(tmp_path, [], uid=0, sudo=None)
    result = system.run("demo")
    assert result.returncode == 0
    install = system.calls()[-1].split()
    assert install[5:] == packages("demo")
    assert "chrony" not in install
    # apt's own chatter is kept back when all goes well.
    assert len(result.stdout.splitlines()) == 1 and "chatter" not in result.stdout + result.stderr


def test_a_user_installs_through_sudo(tmp_path: Path) -> None:
    installed = [name for name in packages("demo") if name != "libmbedtls-dev"]
    system = FakeSystem(tmp_path, installed, uid=1000, sudo="ok")
    result = system.run("demo")
    assert result.returncode == 0, result.stderr
    assert system.calls() == ["sudo env", "apt-get -q update",
                              "sudo env", "apt-get -q install -y --no-install-recommends libmbedtls-dev"]


@pytest.mark.parametrize("sudo, why", [(None, "not root and no sudo"),
                                       ("password", "sudo needs a password and there is no terminal")])
def test_where_nothing_can_be_installed_it_names_the_packages_and_the_command(tmp_path: Path, sudo: str | None,
                                                                               why: str) -> None:
    installed = [name for name in packages("test") if name not in ("chrony", "python3-venv")]
    system = FakeSystem(tmp_path, installed, uid=1000, sudo=sudo)
    result = system.run("test")
    assert result.returncode == 1
    assert system.calls() == []
    assert "lacks: python3-venv chrony" in result.stderr
    assert why in result.stderr
    assert "install them with: sudo apt-get install python3-venv chrony" in result.stderr


def test_a_failing_apt_get_is_reported_with_the_command(tmp_path: Path) -> None:
    system = FakeSystem(tmp_path, [], uid=0, sudo=None, apt_fails=True)
    result = system.run("demo")
    assert result.returncode == 1
    assert "apt-get update failed; install them with: apt-get install build-essential" in result.stderr
    assert "apt chatter: update" in result.stderr  # what apt said, to tell why


def test_make_and_ci_use_the_one_list() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "tools/debian-packages $(DEBIAN_PACKAGES_FOR)" in makefile
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci
    # No package list of its own: no package name from the list appears in it.
    assert not any(re.search(rf"\b{re.escape(name)}\b", ci.replace("tools/debian-packages", ""))
                   for name in packages("test") if name != "build-essential")


def test_make_asks_for_the_test_packages_for_test_goals_only() -> None:
    def asked(goal: str) -> str:
        result = subprocess.run(["make", "-n", "-C", str(REPO), goal, "MAKE=true"], capture_output=True, text=True,
                                env={**os.environ, "MAKEFLAGS": ""})
        [line] = [line for line in result.stdout.splitlines() if line.startswith("tools/debian-packages")]
        return line.split()[1]

    assert asked("demo") == "demo"
    assert asked("test") == "test"
    assert asked("host") == "demo"
