"""Start an air and host-firmware devices as processes, and watch their output.

Used by tools/netman-run and by the test fixtures, so both run devices the
same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from .control import AirClient

TOOLS_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_FIRMWARE = REPO_DIR / "build" / "host" / "micropython"


def firmware_path() -> Path:
    """The host firmware: $NETMAN_FIRMWARE, else build/host/micropython."""
    return Path(os.environ.get("NETMAN_FIRMWARE", DEFAULT_FIRMWARE))


class OutputProcess:
    """A child process whose merged stdout/stderr is collected line by line."""

    def __init__(self, argv: list[str], env: dict[str, str], name: str,
                 echo: Callable[[str, str], None] | None = None, stdin: bool = False) -> None:
        self.name = name
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._echo = echo
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
            if self._echo is not None:
                self._echo(self.name, line)
        with self._cond:
            self._cond.notify_all()

    def send(self, line: str) -> int:
        """Write a line to the process's stdin; returns the output index before it."""
        assert self.proc.stdin is not None, "started without stdin"
        with self._cond:
            mark = len(self.lines)
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return mark

    @property
    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_line(self, pattern: str, timeout: float = 10.0, start: int = 0) -> re.Match[str]:
        """The first output line (from index `start`) matching the regex `pattern`."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    match = regex.search(line)
                    if match:
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise TimeoutError(f"{self.name}: no line matching {pattern!r} within {timeout}s; output:\n"
                                       + "\n".join(self.lines[-40:]))
                self._cond.wait(min(left, 0.1))

    def wait_exit(self, timeout: float = 10.0) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"{self.name}: still running after {timeout}s; output:\n{self.output}") from None
        self._reader.join(5)
        return code

    def stop(self) -> None:
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)


class AirProcess(OutputProcess):
    """`python3 -m netsim` on a socket in `workdir`."""

    def __init__(self, workdir: Path, scenario: Path | None = None,
                 echo: Callable[[str, str], None] | None = None) -> None:
        self.path = str(workdir / "air.sock")
        self.control_path = str(workdir / "air.ctl")
        argv = [sys.executable, "-m", "netsim", "--air", self.path, "--control", self.control_path]
        if scenario is not None:
            argv += ["--scenario", str(scenario)]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOLS_DIR), env.get("PYTHONPATH")]))
        super().__init__(argv, env, "air", echo)
        self._client: AirClient | None = None
        try:
            self.wait_line(r"^netsim: ready", timeout=15)
        except TimeoutError:
            self.stop()
            raise

    @property
    def client(self) -> AirClient:
        if self._client is None:
            self._client = AirClient(self.control_path)
        return self._client

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        super().stop()


class DeviceProcess(OutputProcess):
    """The host firmware running one application against an air."""

    def __init__(self, script: Path, air_path: str | None, name: str, firmware: Path | None = None,
                 mac: str | None = None, extra_env: dict[str, str] | None = None,
                 echo: Callable[[str, str], None] | None = None, stdin: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETMAN_")}
        if air_path is not None:
            env["NETMAN_AIR"] = air_path
        env["NETMAN_NAME"] = name
        if mac is not None:
            env["NETMAN_MAC"] = mac
        env.update(extra_env or {})
        super().__init__([str(firmware or firmware_path()), str(script)], env, name, echo, stdin)
