#!/usr/bin/env python3
"""Scanning: heap bytes per returned network (for a quiet and a crowded air),
and the time from the scan-done event in C to the scan_done callback.
Figures only; nothing is asserted."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from netsim.launch import AirProcess, DeviceProcess  # noqa: E402

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


def crowded(count: int) -> str:
    return "".join(f'[[ap]]\nssid = "ap-{i:03d}"\nchannel = {1 + i % 13}\nrssi = {-30 - (i * 7) % 61}\n'
                   f'bssid = "02:00:00:00:{i >> 8:02x}:{i & 255:02x}"\n' for i in range(count))


def run(firmware: Path | None, ap_count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="netman-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "s.toml").write_text(crowded(ap_count))
        (workdir / "app.py").write_text(APP.replace("ROUNDS", str(rounds)))
        air = AirProcess(workdir, workdir / "s.toml")
        dev = DeviceProcess(workdir / "app.py", air.path, "bench", firmware)
        try:
            dev.wait_exit(120)
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
            if n2 > n1:
                print(f"  each further network: {(h2 - h1) / (n2 - n1):.1f} heap bytes "
                      f"(a call's fixed cost: {h1 - (h2 - h1) / (n2 - n1) * n1:.0f})")
            if dev.proc.returncode != 0:
                print("\n".join(dev.lines[-20:]))
        finally:
            dev.stop()
            air.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firmware", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    start = time.monotonic()
    for count in (10, 200):
        run(args.firmware, count, args.rounds)
    print(f"(benchmark took {time.monotonic() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
