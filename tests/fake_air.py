"""A fake air for tests: a Unix socket that speaks netsim's wire protocol as
badly as a test wants it to (docs/netsim-protocol.md). It answers each
device's HELLO with WELCOME (or with whatever the test set), then leaves the
connection to the test: send raw bytes, read frames, or stop reading."""

from __future__ import annotations

import socket
import struct
import threading
from pathlib import Path

from netsim import protocol as p


def frame(msg_type: int, body: bytes = b"") -> bytes:
    return struct.pack(">I", 1 + len(body)) + bytes([msg_type]) + body


def read_frame(sock: socket.socket) -> bytes:
    """One frame's type byte and body; raises ConnectionError at EOF."""
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the device closed the connection")
            data += chunk
        return data

    (length,) = struct.unpack(">I", exactly(4))
    return exactly(length)


class FakeAir:
    def __init__(self, directory: Path, welcome_mac: bytes = b"\x02\xfa\x4e\x00\x00\x01",
                 handshake: bool = True) -> None:
        self.path = str(directory / "fake-air.sock")
        # WELCOME, then where the radio idles, as the real air says them.
        self.welcome = frame(p.WELCOME, bytes([p.VERSION]) + welcome_mac) + frame(p.RADIO_CHANNEL, bytes([1]))
        self.handshake = handshake
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(8)
        self.devices: list[socket.socket] = []
        self._arrived = threading.Condition()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            conn.settimeout(10)
            if self.handshake:
                hello = read_frame(conn)
                assert hello[0] == p.HELLO, hello
                conn.sendall(self.welcome)
            with self._arrived:
                self.devices.append(conn)
                self._arrived.notify_all()

    def device(self, index: int = 0, timeout: float = 10.0) -> socket.socket:
        """The connection of the index-th device to arrive (after its handshake)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.devices) > index, timeout):
                raise TimeoutError(f"fake air: no device {index} within {timeout}s")
            return self.devices[index]

    def frames_until(self, sock: socket.socket, msg_type: int) -> list[bytes]:
        """Frames the device sends up to (and with) the first of msg_type."""
        seen = []
        while True:
            body = read_frame(sock)
            seen.append(body)
            if body[0] == msg_type:
                return seen

    def close(self) -> None:
        self.server.close()
        for conn in self.devices:
            conn.close()


def env(air: FakeAir) -> dict[str, str]:
    """The environment that sends a device to this air."""
    return {"NETMAN_AIR": air.path}
