"""netsim's [[forward]] on its own (tools/netsim/uplink.py, in this process):
a server behind an AP is reachable while the AP is up, every relayed
connection is reset when it goes down, and new ones are refused until it is
back — also a connection accepted just before the outage whose relay had not
started yet (asyncio runs it as a task of its own: on a loaded machine it
starts well after the accept)."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import pytest

from conftest import free_tcp_port
from netsim.air import Air
from netsim.scenario import parse
from netsim.uplink import Forward, Uplink

ADDRESS = "127.0.0.1"


async def wait_for(what: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not what():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(4096):
        writer.write(data)
        await writer.drain()
    writer.close()


async def is_reset(reader: asyncio.StreamReader) -> bool:
    """The connection ends with a reset (not a clean end of stream)."""
    try:
        await asyncio.wait_for(reader.read(1), 5)
    except ConnectionResetError:
        return True
    return False


def run(test: Callable[[Air, Uplink, int, list[Any]], Awaitable[None]],
        uplink_type: type[Uplink] = Uplink) -> None:
    """Run `test(air, uplink, port, accepted)` with an echo server behind the AP
    "home" (`accepted`: the echo server's connections)."""
    async def main() -> None:
        accepted: list[Any] = []

        async def server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer)
            await echo(reader, writer)

        behind = await asyncio.start_server(server, ADDRESS, 0)
        target = behind.sockets[0].getsockname()[1]
        air = Air(parse({"ap": [{"ssid": "home", "psk": "secret123"}]}), log=lambda line: None)
        port = free_tcp_port(ADDRESS)
        uplink = uplink_type(air, Forward(ap="home", port=port, to=f"{ADDRESS}:{target}"), ADDRESS)
        task = asyncio.create_task(uplink.run())
        try:
            await wait_for(lambda: uplink.server is not None)
            await test(air, uplink, port, accepted)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            behind.close()

    asyncio.run(main())


def test_relayed_while_up_reset_in_an_outage_refused_until_back() -> None:
    async def test(air: Air, uplink: Uplink, port: int, accepted: list[Any]) -> None:
        reader, writer = await asyncio.open_connection(ADDRESS, port)
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"ping"
        air.ap_down("home")
        assert await is_reset(reader)
        writer.close()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(ADDRESS, port)
        air.ap_up("home")
        await wait_for(lambda: uplink.server is not None)
        reader, writer = await asyncio.open_connection(ADDRESS, port)
        writer.write(b"back")
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"back"
        writer.close()
        assert [e["cut"] for e in air.history if e["event"] == "uplink_down"] == [2]  # both ends
    run(test)


class LateRelay(Uplink):
    """An uplink whose relays start only when `go` is set: the loaded machine."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.go = asyncio.Event()
        self.waiting = 0

    async def _relay(self, *args: Any) -> None:
        self.waiting += 1
        await self.go.wait()
        await super()._relay(*args)


def test_a_connection_accepted_just_before_an_outage_is_reset_too() -> None:
    async def test(air: Air, uplink: Uplink, port: int, accepted: list[Any]) -> None:
        assert isinstance(uplink, LateRelay)
        reader, writer = await asyncio.open_connection(ADDRESS, port)
        await wait_for(lambda: uplink.waiting == 1)  # accepted; its relay not started
        air.ap_down("home")
        await wait_for(lambda: uplink.server is None)  # the outage's cut is done
        uplink.go.set()
        assert await is_reset(reader)  # not relayed through the outage
        writer.close()
        assert accepted == []  # it never reached the server behind the AP
        assert [e["event"] for e in air.history if e["event"].startswith("uplink_")] == \
            ["uplink_up", "uplink_down", "uplink_reset_late"]
    run(test, LateRelay)
