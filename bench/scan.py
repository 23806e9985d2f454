#!/usr/bin/env python3
"""Scanning: heap bytes per returned network (for a quiet and a crowded air),
and the time from the scan-done event in C to the scan_done callback.
Figures only; nothing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

from benchlib import air_and_device, main
from netsim.scenario import many_aps_toml

APP = """
import gc, time, netman, _netman
netman.start(sta=dict(managed=True))
for results in (1, 6, 20, 64):
    netman.wifi_scan(results=results, dwell=5)  # warm up
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    found, networks = netman.wifi_scan(results=results, dwell=5)
    used = gc.mem_alloc() - before
    gc.enable()
    print("HEAP", found, len(networks), used)

latencies = []
def done(result):
    latencies.append(time.ticks_diff(time.ticks_us(), _netman.scan_done_us()))
netman.stop()
netman.start(sta=dict(managed=True, scan_done=done))
for _ in range(ROUNDS):
    n = len(latencies)
    netman.wifi_scan(results=6, dwell=5)
    while len(latencies) == n:
        time.sleep_ms(1)
latencies.sort()
print("LATENCY", latencies[len(latencies) // 2], latencies[-1])
"""


def run_air(firmware: Path | None, ap_count: int, rounds: int) -> None:
    with air_and_device(many_aps_toml(ap_count), APP.replace("ROUNDS", str(rounds)), firmware) as (_, dev):
        dev.wait_exit(120)
    if dev.proc.returncode != 0:
        print("\n".join(dev.lines[-20:]))
        return
    print(f"{ap_count} APs on the air:")
    heaps: list[tuple[int, int]] = []
    for line in dev.lines:
        if line.startswith("HEAP "):
            found, returned, used = (int(x) for x in line.split()[1:])
            heaps.append((returned, used))
            print(f"  results={returned:2d} (found {found}): {used:6d} heap bytes, "
                  f"{used / max(1, returned):6.1f} per network")
        elif line.startswith("LATENCY "):
            median, worst = (int(x) for x in line.split()[1:])
            print(f"  scan-done event -> scan_done callback (6 networks, {rounds} scans): "
                  f"median {median} us, worst {worst} us")
    (n1, h1), (n2, h2) = heaps[0], heaps[-1]
    per_network = (h2 - h1) / (n2 - n1)
    print(f"  each further network: {per_network:.1f} heap bytes (a call's fixed cost: {h1 - per_network * n1:.0f})")


def run(firmware: Path | None, rounds: int) -> None:
    for count in (10, 200):
        run_air(firmware, count, rounds)


if __name__ == "__main__":
    sys.exit(main(__doc__, run))
