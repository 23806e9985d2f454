"""A real third-party MicroPython library through WiFi outages: umqtt.robust
(micropython-lib's MQTT client, installed from PyPI at test time as upip
installs it, unmodified) runs examples/mqtt_sensor.py on the host build's
`network` module against Debian's mosquitto on 127.0.0.1, while the air takes
the AP down and up. The broker is behind the AP (netsim's [[forward]]), so an
outage breaks the client's TCP session as a real one does."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import REPO, free_tcp_port

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


def run_mosquitto(tmp_path: Path, config: str, port: int) -> subprocess.Popen[str]:
    """Debian's mosquitto with `config`, once it accepts connections on `port`."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail("mosquitto is not installed (tools/debian-packages test installs it)", pytrace=False)
    conf = tmp_path / "mosquitto.conf"
    # As root it would turn into the user "mosquitto", who cannot read tmp_path.
    conf.write_text(f"user {pwd.getpwuid(os.getuid()).pw_name}\n{config}")
    log = (tmp_path / "mosquitto.log").open("w")  # a file: a pipe nobody reads would block the broker
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, text=True)
    log.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("mosquitto did not start:\n" + (tmp_path / "mosquitto.log").read_text(), pytrace=False)
            time.sleep(0.05)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """mosquitto on 127.0.0.1: (plain port, TLS port with a self-signed certificate)."""
    plain, secure = free_tcp_port(), free_tcp_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.77.0.1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    proc = run_mosquitto(tmp_path, f"per_listener_settings false\nallow_anonymous true\npersistence false\n"
                         f"listener {plain} 127.0.0.1\nlistener {secure} 127.0.0.1\n"
                         f"certfile {tmp_path / 'cert.pem'}\nkeyfile {tmp_path / 'key.pem'}\n", plain)
    yield plain, secure
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
        try:
            self.wait_for(lambda lines: any("SUBACK" in line for line in lines), "subscribed")
        except BaseException:
            self.stop()  # it would retry its broker for ever
            raise

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


def test_umqtt_robust_publishes_every_reading_through_outages(umqtt: Path, mosquitto: tuple[int, int], device,
                                                               request: pytest.FixtureRequest) -> None:
    broker, uplink = mosquitto[0], free_tcp_port("127.77.0.1")
    example = (REPO / "examples" / "mqtt_sensor.toml").read_text().replace("127.0.0.1:18830", f"127.0.0.1:{broker}")
    example = example.replace("port = 1883", f"port = {uplink}")
    request.node.add_marker(pytest.mark.scenario(example))
    air = request.getfixturevalue("air")
    subscriber = Subscriber(broker)
    try:
        script = (REPO / "examples" / "mqtt_sensor.py").read_text().replace("PORT = 1883", f"PORT = {uplink}")
        sensor = device(script, name="mqtt_sensor",
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


class HeldBroker:
    """Just enough of an MQTT 3.1.1 broker to choose the moment of a break: it
    takes connections and acknowledges every QoS 1 reading but the first,
    which it holds (`held` is set then), so a test can break the connection
    while the client waits for that PUBACK. `readings`: (connection number,
    payload), in arrival order."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.held = threading.Event()
        self.readings: list[tuple[int, bytes]] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections += 1
            threading.Thread(target=self._session, args=(conn, self.connections), daemon=True).start()

    def _session(self, conn: socket.socket, number: int) -> None:
        with conn, conn.makefile("rb") as stream:
            try:
                while header := stream.read(1):
                    length, shift, byte = 0, 0, 0x80
                    while byte & 0x80:
                        byte = stream.read(1)[0]
                        length, shift = length | (byte & 0x7F) << shift, shift + 7
                    body = stream.read(length)
                    if header == b"\x10":  # CONNECT: accepted
                        conn.sendall(b"\x20\x02\x00\x00")
                    elif header[0] & 0xF6 == 0x32:  # PUBLISH, QoS 1
                        topic_end = 2 + int.from_bytes(body[:2], "big")
                        self.readings.append((number, body[topic_end + 2:]))
                        if self.held.is_set():
                            conn.sendall(b"\x40\x02" + body[topic_end:topic_end + 2])
                        self.held.set()
                    elif header == b"\xc0":  # PINGREQ
                        conn.sendall(b"\xd0\x00")
            except (OSError, IndexError):  # reset, or cut mid-packet
                pass

    def close(self) -> None:
        self.listener.close()


def test_a_break_while_the_sensor_waits_for_an_acknowledgement(umqtt: Path, device,
                                                               request: pytest.FixtureRequest) -> None:
    # The moment umqtt.robust alone does not live through (its wait_msg()
    # reconnects and waits on for the lost PUBACK): the reading is out, its
    # acknowledgement is not back. The example publishes it again on the next
    # connection and goes on.
    broker = HeldBroker()
    try:
        uplink = free_tcp_port("127.77.0.1")
        example = (REPO / "examples" / "mqtt_sensor.toml").read_text()
        example = example.replace("127.0.0.1:18830", f"127.0.0.1:{broker.port}").replace("port = 1883", f"port = {uplink}")
        request.node.add_marker(pytest.mark.scenario(example))
        air = request.getfixturevalue("air")
        script = (REPO / "examples" / "mqtt_sensor.py").read_text().replace("PORT = 1883", f"PORT = {uplink}")
        sensor = device(script, name="mqtt_sensor", env={"MICROPYPATH": f".frozen:{umqtt}"})
        assert broker.held.wait(20), sensor.output
        air.client.ap_down("home")
        sensor.wait_line(r"^mqtt: ", 10)
        air.client.ap_up("home")
        sensor.wait_line(r"^done$", 30)
    finally:
        broker.close()
    assert broker.readings == [(1, b"0")] + [(2, b"%d" % n) for n in range(60)]


def test_umqtt_over_tls_with_the_host_builds_ssl(umqtt: Path, mosquitto: tuple[int, int], device,
                                                 request: pytest.FixtureRequest) -> None:
    # umqtt.simple's ssl=True imports `ussl`: the host build has it (and `ssl`),
    # on its built-in tls, as MicroPython's unix port freezes them.
    plain, secure = mosquitto
    uplink = free_tcp_port("127.77.0.1")
    request.node.add_marker(pytest.mark.scenario(f"""
[[ap]]
ssid = "home"
psk = "secret123"

[[forward]]
ap = "home"
port = {uplink}
to = "127.0.0.1:{secure}"
"""))
    request.getfixturevalue("air")
    subscriber = Subscriber(plain)
    try:
        client = device("""
import network, time
from umqtt.simple import MQTTClient
wlan = network.WLAN()
wlan.active(True)
wlan.connect('home', 'secret123')
while not wlan.isconnected():
    time.sleep_ms(50)
client = MQTTClient('tls-sensor', '127.77.0.1', port=PORT, ssl=True)
client.connect()
for n in range(3):
    client.publish(b'sensor/tls', b'%d' % n, qos=1)
client.disconnect()
print('done')
""".replace("PORT", str(uplink)), name="tls_sensor", env={"MICROPYPATH": f".frozen:{umqtt}"})
        client.wait_line(r"^done$", 30)
        # Counted as messages() parses them: mosquitto_sub -d also prints
        # lines such as "Subscribed (mid: 1): 1", which are not readings.
        subscriber.wait_for(lambda lines: len(subscriber.messages()) >= 3, "given three readings")
        assert [n for _, n in subscriber.messages()] == [0, 1, 2]
    finally:
        subscriber.stop()
