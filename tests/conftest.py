"""Fixtures: `air` (a netsim process on a temporary socket) and `device` (a
host-firmware process running a script against it).

A test picks its air with @pytest.mark.scenario(TOML_TEXT) or gets
DEFAULT_SCENARIO: one WPA2 access point "home" with PSK "secret123".
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from netsim.launch import AirProcess, DeviceProcess, firmware_path  # noqa: E402

DEFAULT_SCENARIO = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6
rssi = -55
"""

DeviceFactory = Callable[..., DeviceProcess]

# tests/device drives a real board (make test-device sets NETMAN_DEVICE_*);
# the host suite leaves it out.
collect_ignore = [] if "NETMAN_DEVICE_PORT" in os.environ else ["device"]

# Every probe station callback but `disconnected`: the driver then reconnects by itself.
NO_DISCONNECTED_CB = "connected=CB['connected'], got_ip=CB['got_ip'], beacon_timeout=CB['beacon_timeout']"


def home_air(**timings: int) -> str:
    """The default air with some [air] timings changed (e.g. dhcp_ms=1500)."""
    lines = "".join(f"{name} = {value}\n" for name, value in timings.items())
    return f"[air]\n{lines}{DEFAULT_SCENARIO}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario(toml): the scenario the `air` fixture loads")


@pytest.fixture(scope="session")
def firmware() -> Path:
    path = firmware_path()
    if not path.is_file():
        pytest.fail(f"no host firmware at {path}: run 'make host' (make test does)", pytrace=False)
    return path


@pytest.fixture
def air(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AirProcess]:
    marker = request.node.get_closest_marker("scenario")
    toml = DEFAULT_SCENARIO if marker is None else marker.args[0]
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(textwrap.dedent(toml))
    process = AirProcess(tmp_path, scenario)
    yield process
    process.stop()


@pytest.fixture
def device(firmware: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[DeviceFactory]:
    """device(script, name="dev", mac=None, env=None, air=<the air fixture>)."""
    started: list[DeviceProcess] = []

    def start(script: str, name: str = "dev", mac: str | None = None, env: dict[str, str] | None = None,
              air: AirProcess | None | bool = True, stdin: bool = False) -> DeviceProcess:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(script))
        if air is True:
            air = request.getfixturevalue("air")
        air_path = air.path if isinstance(air, AirProcess) else None
        process = DeviceProcess(path, air_path, name, firmware, mac=mac, extra_env=env, stdin=stdin)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


class Probe:
    """A device running tests/probe_app.py: callbacks print EV lines, and
    Python lines sent with run() are executed on the device."""

    def __init__(self, process: DeviceProcess) -> None:
        self.process = process

    def run(self, line: str, timeout: float = 10.0) -> str:
        """Execute a line on the device; its 'OK ...' or 'ERR ...' answer."""
        mark = self.process.send(line)
        return self.process.wait_line(r"^(OK|ERR) ", timeout, start=mark).string

    def value(self, expr: str) -> str:
        answer = self.run(expr)
        assert answer.startswith("OK "), f"{expr}: {answer}"
        return answer[3:]

    def error(self, line: str) -> list[str]:
        """Run a line that must raise: [type, reason, message]."""
        answer = self.run(line)
        assert answer.startswith("ERR "), f"{line}: expected an error, got {answer}"
        kind, reason, message = (answer[4:].split(" ", 2) + ["", ""])[:3]
        return [kind, reason, message]

    def rejects(self, line: str, kind: str, words: list[str]) -> str:
        """Run a line that must raise `kind` with all of `words` in its
        message; returns the message."""
        got, _, message = self.error(line)
        assert got == kind, message
        missing = [w for w in words if w not in message]
        assert not missing, f"{missing} not in {message!r}"
        return message

    def wait_event(self, name: str, timeout: float = 10.0, start: int = 0) -> str:
        return self.process.wait_line(rf"^EV {name}\b", timeout, start).string

    def events(self) -> list[str]:
        return [line for line in self.process.lines if line.startswith("EV ")]

    def mark(self) -> int:
        return len(self.process.lines)


@pytest.fixture
def probe(device: DeviceFactory) -> Callable[..., Probe]:
    """probe(start="netman.start(...)", **device options): a Probe once READY."""
    app = (REPO / "tests" / "probe_app.py").read_text()

    def make(start: str = "netman.start(sta=dict(ssid='home', psk='secret123', **CB))", name: str = "probe",
             **options: object) -> Probe:
        process = device(app + "\n" + start + "\nprint('READY')\nserve()\n", name=name, stdin=True, **options)
        process.wait_line("^READY$|Traceback", 10)
        return Probe(process)

    return make


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_tcp_port(address: str = "127.0.0.1") -> int:
    import socket

    # Other test runs may share this machine's loopback: every port is a free one.
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def ntp_server(tmp_path: Path) -> Iterator[int]:
    """A real NTP server (Debian's chrony) serving the machine's clock on
    127.0.0.1 at a free port; yields the port."""
    import shutil
    import socket
    import subprocess
    import time

    chronyd = shutil.which("chronyd") or "/usr/sbin/chronyd"
    if not Path(chronyd).exists():
        pytest.fail("chronyd is not installed (apt-get install chrony; make test does)", pytrace=False)
    port = free_udp_port()
    conf = tmp_path / "chrony.conf"
    conf.write_text(f"port {port}\ncmdport 0\nbindaddress 127.0.0.1\nallow 127.0.0.1\n"
                    f"local stratum 8\npidfile {tmp_path / 'chronyd.pid'}\n")
    user = ["-u", "root"] if os.geteuid() == 0 else []
    proc = subprocess.Popen([chronyd, "-x", "-d", "-f", str(conf), *user],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Ready once it answers a client request.
    deadline = time.monotonic() + 10
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while True:
            sock.sendto(b"\x23" + bytes(47), ("127.0.0.1", port))
            try:
                if len(sock.recv(128)) >= 48:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chronyd did not start:\n" + (proc.communicate()[0] or ""), pytrace=False)
    yield port
    proc.terminate()
    proc.wait(5)
