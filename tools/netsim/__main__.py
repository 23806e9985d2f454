"""python3 -m netsim --air PATH [--control PATH] [--scenario FILE.toml]"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from .air import Air
from .control import handle_control
from .scenario import ScenarioError, load
from .uplink import Uplink


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


async def serve(air: Air, air_path: str, control_path: str) -> None:
    for path in (air_path, control_path):
        _unlink(path)
    devices = await asyncio.start_unix_server(air.handle_device, air_path)
    control = await asyncio.start_unix_server(lambda r, w: handle_control(air, r, w), control_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    air.print(f"netsim: ready air={air_path} control={control_path}")
    script = loop.create_task(air.run_script())
    uplinks = [loop.create_task(Uplink(air, forward, air.scenario.dhcp.gateway).run())
               for forward in air.scenario.forwards]
    try:
        await stop.wait()
    finally:
        script.cancel()
        for uplink in uplinks:
            uplink.cancel()
        devices.close()
        control.close()
        for path in (air_path, control_path):
            _unlink(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="netsim", description="The netman air simulator.")
    parser.add_argument("--air", required=True, help="Unix socket path devices connect to (NETMAN_AIR)")
    parser.add_argument("--control", help="control socket path (default: AIR.ctl)")
    parser.add_argument("--scenario", type=Path, help="scenario TOML file")
    args = parser.parse_args(argv)
    # SSIDs from the air need not be UTF-8 (scenario.air_text): print them escaped.
    sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        scenario = load(args.scenario)
        air = Air(scenario, log=lambda line: print(line, flush=True))
    except ScenarioError as error:
        print(f"netsim: {error}", file=sys.stderr)
        return 2
    asyncio.run(serve(air, args.air, args.control or args.air + ".ctl"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
