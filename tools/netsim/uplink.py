"""A server behind an access point: `[[forward]]` in a scenario makes a TCP
port on the DHCP gateway's address (127.77.0.1 by default) lead to a server
on the machine, but only while that AP is up. When the AP goes down its
relayed connections are cut (reset) and new ones refused until it is back,
so an application's TCP sessions live through an outage as they would
behind a real AP: they break, and the application has to reconnect."""

from __future__ import annotations

import asyncio
import functools
import socket
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .scenario import ScenarioError

if TYPE_CHECKING:
    from .air import Air

POLL_S = 0.02  # how soon a change of the AP's state reaches the relay


@dataclass
class Forward:
    ap: str          # the SSID whose uplink this is
    port: int        # listened on at the DHCP gateway's address
    to: str          # "127.0.0.1:PORT": where connections go

    def __post_init__(self) -> None:
        host, _, port = self.to.rpartition(":")
        if not (1 <= self.port <= 65535 and host.startswith("127.") and port.isdigit() and 1 <= int(port) <= 65535):
            raise ScenarioError(f"forward: port 1-65535 and to = '127.x.y.z:PORT' (loopback only), got "
                                f"{self.port!r} -> {self.to!r}")

    @property
    def target(self) -> tuple[str, int]:
        host, _, port = self.to.rpartition(":")
        return host, int(port)


def reset(writer: asyncio.StreamWriter) -> None:
    """Close a relayed connection with a reset (no linger), as when the route vanished."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Uplink:
    """One [[forward]]: listening while its AP is up."""

    def __init__(self, air: Air, forward: Forward, address: str) -> None:
        self.air = air
        self.forward = forward
        self.address = address
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()
        # Cuts so far. A connection the server accepted before a cut whose
        # relay had not started yet (asyncio runs it as a task of its own: on
        # a loaded machine, well after the accept) is not in `links` for that
        # cut to reset; its relay sees the count moved on and resets it then.
        self.outages = 0

    def ap_up(self) -> bool:
        return any(ap.up for ap in self.air.aps.values() if ap.ssid == self.forward.ap)

    async def run(self) -> None:
        try:
            while True:
                up = self.ap_up()
                if up and self.server is None:
                    try:
                        self.server = await asyncio.start_server(functools.partial(self._relay, self.outages),
                                                                 self.address, self.forward.port)
                    except OSError as error:  # e.g. the port still held: the next round tries again
                        self.air.record("uplink_failed", ap=self.forward.ap, port=self.forward.port,
                                        error=str(error))
                    else:
                        self.air.record("uplink_up", ap=self.forward.ap, port=self.forward.port)
                elif not up and self.server is not None:
                    self._cut()
                await asyncio.sleep(POLL_S)
        finally:
            self._cut()

    def _cut(self) -> None:
        if self.server is None:
            return
        self.server.close()
        self.server = None
        for writer in list(self.links):
            reset(writer)
        self.outages += 1
        self.air.record("uplink_down", ap=self.forward.ap, port=self.forward.port, cut=len(self.links))
        self.links.clear()

    async def _relay(self, accepted_in: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if accepted_in != self.outages:  # accepted before the last cut: it goes as the others did
            self.air.record("uplink_reset_late", ap=self.forward.ap, port=self.forward.port)
            reset(writer)
            return
        self.links.add(writer)  # cut with the others, even before the server answers
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.forward.target)
        except OSError:
            self.links.discard(writer)
            writer.transport.abort()
            return
        if writer not in self.links:  # cut meanwhile
            up_writer.transport.abort()
            return
        self.links.add(up_writer)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                if not dst.transport.is_closing():
                    dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self.links.discard(writer)
        self.links.discard(up_writer)
