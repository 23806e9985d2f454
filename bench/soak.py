#!/usr/bin/env python3
"""Soak: many connect/disconnect, start/stop and AP down/up cycles on one device.

Prints, at the start, the middle and the end of each phase, the MicroPython
heap in use (after a collection), the process's RSS, its open file
descriptors and threads. A leak shows as a column that grows from middle to
end. Figures only; nothing is asserted.
"""

from __future__ import annotations

from pathlib import Path

from benchlib import air_and_device, main

SCENARIO = """
[air]
connect_ms = 1
dhcp_ms = 1
disconnect_ms = 1
beacon_timeout_ms = 5
no_ap_ms = 5

[[ap]]
ssid = "soak"
psk = "soak-password"
"""

APP = """
import gc, os, sys, time, netman

def status_field(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])

def sample(phase, i):
    gc.collect()
    print("SAMPLE", phase, i, gc.mem_alloc(), status_field("VmRSS"), len(os.listdir("/proc/self/fd")),
          status_field("Threads"))

def wait(what):
    deadline = time.ticks_add(time.ticks_ms(), 5000)
    while not what():
        if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            print("STUCK", netman.sta_status())
            sys.exit(1)
        time.sleep_ms(1)

def online():
    return netman.sta_status() == "connected"

def offline():
    return netman.sta_status() == "disconnected"

CYCLES = int(sys.stdin.readline())
CONFIG = dict(ssid="soak", psk="soak-password", disconnected=lambda: None)

netman.start(sta=CONFIG)
wait(online)
for i in range(CYCLES + 1):
    if i in (0, CYCLES // 2, CYCLES):
        sample("connect/disconnect", i)
    netman.sta_disconnect()
    wait(offline)
    netman.sta_connect()
    wait(online)
netman.stop()

for i in range(CYCLES + 1):
    if i in (0, CYCLES // 2, CYCLES):
        sample("start/stop", i)
    netman.start(sta=CONFIG)
    wait(online)
    netman.stop()

# The air takes the AP away and brings it back (the host side drives it).
netman.start(sta=dict(ssid="soak", psk="soak-password"))
wait(online)
print("AP CYCLES")
for i in range(CYCLES + 1):
    if i in (0, CYCLES // 2, CYCLES):
        sample("ap_down/up", i)
    print("DOWN", i)
    wait(lambda: netman.sta_status() != "connected")
    print("UP", i)
    wait(online)
netman.stop()
print("SOAK DONE")
"""


def run(firmware: Path | None, rounds: int) -> None:
    cycles = rounds
    with air_and_device(SCENARIO, APP, firmware, stdin=True) as (air, dev):
        dev.send(str(cycles))
        dev.wait_line("^AP CYCLES$", timeout=60 + cycles * 0.2)
        for i in range(cycles + 1):
            dev.wait_line(rf"^DOWN {i}$", timeout=10)
            air.client.ap_down("soak")
            dev.wait_line(rf"^UP {i}$", timeout=10)
            air.client.ap_up("soak")
        dev.wait_line("^SOAK DONE$", timeout=30)
        print(f"{cycles} cycles per phase")
        print(f"{'phase':20} {'cycle':>6} {'heap B':>9} {'RSS kB':>8} {'fds':>4} {'threads':>7}")
        for line in dev.lines:
            if line.startswith("SAMPLE "):
                _, phase, i, heap, rss, fds, threads = line.split()
                print(f"{phase:20} {i:>6} {heap:>9} {rss:>8} {fds:>4} {threads:>7}")
        if "STUCK" in dev.output:
            print("a cycle got stuck:", [line for line in dev.lines if line.startswith("STUCK")])


if __name__ == "__main__":
    raise SystemExit(main(__doc__, run, rounds=1000))
