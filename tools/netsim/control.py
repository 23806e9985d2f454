"""The control socket: newline-delimited JSON requests to a running air.

Request:  {"op": "ap_down", "args": {"ssid": "home"}}
Response: {"ok": true, "result": ...} or {"ok": false, "error": "..."}

Ops are the air's actions (Air.ACTIONS) plus "status" and "history".
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

from .air import Air
from .scenario import ScenarioError

QUERIES = ("status", "history")
# The longest request line (asyncio's default stream limit).
LINE_MAX = 65536


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    """The next request line; None at the end of the stream. A line over
    LINE_MAX is skipped to its end and read as b"" (an error answer)."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as error:
        return error.partial or None
    except asyncio.LimitOverrunError:
        while True:
            try:
                await reader.readuntil(b"\n")
                return b""
            except asyncio.LimitOverrunError as error:
                await reader.readexactly(error.consumed)
            except asyncio.IncompleteReadError:
                return None


async def handle_control(air: Air, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while (line := await _read_request(reader)) is not None:
            writer.write(json.dumps(_answer(air, line)).encode() + b"\n")
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def _answer(air: Air, line: bytes) -> dict[str, Any]:
    try:
        if not line:
            raise ScenarioError(f"request line longer than {LINE_MAX} bytes")
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ScenarioError('a request is an object: {"op": ..., "args": {...}}')
        op = request["op"]
        args = request.get("args", {})
        if not isinstance(args, dict):
            raise ScenarioError("args must be an object")
        if op == "status":
            return {"ok": True, "result": air.status()}
        if op == "history":
            return {"ok": True, "result": list(air.history)}
        return {"ok": True, "result": air.act(op, args)}
    except (ValueError, KeyError, TypeError) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    except Exception as error:  # the air's own fault: answered, and the air goes on
        air.print(f"netsim: control request failed: {type(error).__name__}: {error}")
        return {"ok": False, "error": f"internal error: {type(error).__name__}: {error}"}


class ControlError(Exception):
    pass


class AirClient:
    """Drives a running air over its control socket (what tests use)."""

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.stream = self.sock.makefile("rwb")

    def close(self) -> None:
        self.stream.close()
        self.sock.close()

    def call(self, op: str, **args: Any) -> Any:
        self.stream.write(json.dumps({"op": op, "args": args}).encode() + b"\n")
        self.stream.flush()
        reply = json.loads(self.stream.readline())
        if not reply["ok"]:
            raise ControlError(reply["error"])
        return reply["result"]

    # Queries
    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("status")
        return result

    def history(self, event: str | None = None, **facts: Any) -> list[dict[str, Any]]:
        """What happened on the air (all of it, or entries of `event` whose
        fields match `facts`)."""
        entries: list[dict[str, Any]] = self.call("history")
        return [e for e in entries if (event is None or e["event"] == event)
                and all(e.get(k) == v for k, v in facts.items())]

    def device(self, mac: str) -> dict[str, Any] | None:
        for device in self.status()["devices"]:
            if device["mac"] == mac:
                found: dict[str, Any] = device
                return found
        return None

    def wait_for(self, event: str, count: int = 1, timeout: float = 10.0, **facts: Any) -> list[dict[str, Any]]:
        """Wait until the history holds `count` entries of `event` matching `facts`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.history(event, **facts)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"air: {count} x {event} {facts} not seen in {timeout}s; saw {len(found)}")
            time.sleep(0.02)

    # Actions
    def add_ap(self, ssid: str, **settings: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.call("add_ap", ssid=ssid, **settings)
        return result

    def remove_ap(self, ssid: str, bssid: str | None = None) -> None:
        self.call("remove_ap", ssid=ssid, bssid=bssid)

    def ap_down(self, ssid: str, bssid: str | None = None) -> None:
        self.call("ap_down", ssid=ssid, bssid=bssid)

    def ap_up(self, ssid: str, bssid: str | None = None) -> None:
        self.call("ap_up", ssid=ssid, bssid=bssid)

    def set_rssi(self, ssid: str, rssi: int, bssid: str | None = None) -> None:
        self.call("set_rssi", ssid=ssid, rssi=rssi, bssid=bssid)

    def beacon_loss(self, ssid: str, count: int = 1, bssid: str | None = None) -> None:
        self.call("beacon_loss", ssid=ssid, count=count, bssid=bssid)

    def deauth(self, ssid: str, mac: str | None = None, bssid: str | None = None) -> None:
        self.call("deauth", ssid=ssid, mac=mac, bssid=bssid)

    def set_psk(self, ssid: str, psk: str | None, bssid: str | None = None) -> None:
        self.call("set_psk", ssid=ssid, psk=psk, bssid=bssid)

    def scan_stall(self, enabled: bool = True) -> None:
        self.call("scan_stall", enabled=enabled)

    def refuse_joins(self, count: int = 1, mac: str | None = None) -> None:
        self.call("refuse_joins", count=count, mac=mac)

    def dhcp_fail(self, enabled: bool = True) -> None:
        self.call("dhcp_fail", enabled=enabled)

    def set_espnow(self, rssi: int | None = None, loss: float | None = None) -> None:
        self.call("set_espnow", rssi=rssi, loss=loss)

    def espnow_flood(self, dst: str, count: int, length: int = 32) -> None:
        self.call("espnow_flood", dst=dst, count=count, length=length)

    def sniff_flood(self, dst: str, count: int, length: int = 64) -> None:
        self.call("sniff_flood", dst=dst, count=count, length=length)
