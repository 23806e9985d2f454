"""A real third-party MicroPython library through WiFi outages: umqtt.robust
(micropython-lib's MQTT client, installed from PyPI at test time as upip
installs it, unmodified) runs examples/mqtt_sensor.py on the host build's
`network` module against Debian's mosquitto on 127.0.0.1, while the air takes
the AP down and up. The broker is behind the AP (netsim's [[forward]]), so an
outage breaks the client's TCP session as a real one does."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import REPO

OUTAGES = 3
OUTAGE_S = 1.2
RECONNECT_BOUND_S = 6.0  # from the AP's return to the next reading at the broker


@pytest.fixture(scope="session")
def umqtt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """micropython-umqtt.simple and .robust from PyPI, in a folder of their own."""
    lib = tmp_path_factory.mktemp("micropython-lib")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "upip.py"), "--target", str(lib),
                             "micropython-umqtt.simple", "micropython-umqtt.robust"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (lib / "umqtt" / "simple.py").is_file() and (lib / "umqtt" / "robust.py").is_file()
    return lib


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[int]:
    """Debian's mosquitto on 127.0.0.1 at a free port; yields the port."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail("mosquitto is not installed (tools/debian-packages test installs it)", pytrace=False)
    port = free_tcp_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("mosquitto did not start:\n" + (proc.communicate()[0] or ""), pytrace=False)
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(5)


class Subscriber:
    """mosquitto_sub on the sensor's topic with QoS 1: (arrival time, payload)
    per message, stamped by mosquitto_sub."""

    def __init__(self, port: int) -> None:
        # -d: its protocol log (SUBACK says it is subscribed); -F: time and
        # payload; stdbuf: a line at a time through the pipe.
        self.proc = subprocess.Popen(["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "sensor/#",
                                      "-q", "1", "-F", "%U %p", "-d"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for(lambda lines: any("SUBACK" in line for line in lines), "subscribed")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, ready: Callable[[list[str]], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready(list(self.lines)):
            assert time.monotonic() < deadline, f"subscriber: not {what}:\n" + "\n".join(self.lines)
            time.sleep(0.05)

    def messages(self) -> list[tuple[float, int]]:
        got = []
        for line in self.lines:
            stamp, _, payload = line.partition(" ")
            if not line.startswith("Client") and payload.isdigit():
                got.append((float(stamp), int(payload)))
        return got

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def test_umqtt_robust_publishes_every_reading_through_outages(umqtt: Path, mosquitto: int, device, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    example = (REPO / "examples" / "mqtt_sensor.toml").read_text().replace("127.0.0.1:18830",
                                                                           f"127.0.0.1:{mosquitto}")
    request.node.add_marker(pytest.mark.scenario(example))
    air = request.getfixturevalue("air")
    subscriber = Subscriber(mosquitto)
    try:
        sensor = device((REPO / "examples" / "mqtt_sensor.py").read_text(), name="mqtt_sensor",
                        env={"MICROPYPATH": f".frozen:{umqtt}"})
        sensor.wait_line(r"^published 5$", 20)
        returns = []
        for _ in range(OUTAGES):
            air.client.ap_down("home")
            time.sleep(OUTAGE_S)
            returns.append(time.time())
            air.client.ap_up("home")
            time.sleep(1.5)
        sensor.wait_line(r"^done$", 60)
        subscriber.wait_for(lambda lines: any(line.endswith(" 59") for line in lines), "given reading 59")
        got = subscriber.messages()
    finally:
        subscriber.stop()
    readings = [n for _, n in got]
    # Every reading arrived, in order; a repeat only right after itself (a
    # reading published again when its acknowledgement was lost: QoS 1).
    assert sorted(set(readings)) == list(range(60)), readings
    assert readings == sorted(readings), readings
    assert len(readings) - 60 <= OUTAGES, readings
    # Each outage broke the session (the client said why it reconnected) ...
    assert sensor.output.count("mqtt reconnect") >= OUTAGES or sensor.output.count("mqtt: ") >= OUTAGES, \
        sensor.output
    assert len([e for e in air.client.history() if e["event"] == "uplink_down" and e["cut"] > 0]) == OUTAGES
    # ... and after each, the next reading reached the broker within the bound.
    delays = []
    for back in returns:
        after = [stamp for stamp, _ in got if stamp > back]
        assert after and after[0] - back < RECONNECT_BOUND_S, (back, after[:1])
        delays.append(after[0] - back)
    print(f"{len(readings)} deliveries of 60 readings; back at the broker "
          f"{', '.join('%.2f s' % d for d in delays)} after each AP return")
    # While the AP was down nothing arrived.
    for back in returns:
        assert not [n for stamp, n in got if back - OUTAGE_S + 0.3 < stamp < back]
