#!/usr/bin/env python3
"""ESP-NOW receive path: frames per second from the air through the C ring
into Python (irecv loop) at 32 and 250 bytes, the drop rate for a small
rxbuf, heap bytes per frame for recv/irecv/recvinto/iteration, and the same
workload through a pure-Python deque filled by a callback, as the baseline.
Figures only; nothing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

from benchlib import air_and_device, main

MAC = "02:00:00:00:be:01"

APP = """
import gc, time, select, sys, netman
from collections import deque
from netman.espnow import ESPNow
netman.start(sta=dict(managed=True))
e = ESPNow()
queue = deque((), 100000)
base = [0, 0]
def reset(rxbuf):
    # The counters run for the life of the process, as MicroPython's do.
    e.active(False)
    e.config(rxbuf=rxbuf)
    e.active(True)
    base[:] = e.stats()[3:]
def to_deque(espnow):
    # The baseline design: every frame becomes Python objects in a queue.
    while True:
        mac, msg = espnow.irecv(0)
        if mac is None:
            return
        queue.append((bytes(mac), bytes(msg)))
def consume(how, count):
    # Time from "frames waiting" to "all handled by the application".
    got = 0
    gc.collect()
    before = gc.mem_alloc()
    start = time.ticks_us()
    if how == 'ring':
        while got < count:
            mac, msg = e.irecv(0)
            if mac is None:
                break
            got += 1
    else:
        e.irq(to_deque)
        to_deque(e)  # what the scheduler would run first
        while got < count and queue:
            queue.popleft()
            got += 1
        e.irq(None)
    span = time.ticks_diff(time.ticks_us(), start)
    return got, span, gc.mem_alloc() - before
def heap(method, count):
    data = [None, bytearray(250), 0, 0]
    e.irecv(0)  # the first frame from a sender makes its peers_table entry
    gc.collect(); gc.disable()
    before = gc.mem_alloc()
    n = 0
    if method == 'iteration':
        for mac, msg in e:
            n += 1
            if n == count:
                break
    else:
        for _ in range(count):
            if method == 'recv':
                e.recv(0)
            elif method == 'irecv':
                e.irecv(0)
            else:
                e.recvinto(data, 0)
    used = gc.mem_alloc() - before
    gc.enable()
    return used
print("READY")
poller = select.poll(); poller.register(sys.stdin, select.POLLIN)
while True:
    if not poller.poll(10):
        continue
    cmd = sys.stdin.readline().split()
    if not cmd or cmd[0] == "quit":
        break
    if cmd[0] == "reset":
        reset(int(cmd[1])); print("DONE")
    elif cmd[0] == "block":
        print("GO"); select.poll().poll(int(cmd[1])); print("DONE")
    elif cmd[0] == "consume":
        rx, dropped = e.stats()[3:]
        print("RESULT", *consume(cmd[1], int(cmd[2])), rx - base[0], dropped - base[1])
    elif cmd[0] == "heap":
        print("RESULT", heap(cmd[1], int(cmd[2])))
"""


def run(firmware: Path | None, rounds: int) -> None:
    with air_and_device("", APP, firmware, stdin=True, mac=MAC) as (air, dev):
        dev.wait_line("^READY$", 15)

        def command(text: str) -> list[int]:
            mark = dev.send(text)
            return [int(x) for x in dev.wait_line("^(RESULT|DONE)", 60, start=mark).string.split()[1:]]

        def flood(count: int, length: int, rxbuf: int) -> None:
            # Frames arrive while the application is busy (blocked).
            command(f"reset {rxbuf}")
            mark = dev.send("block 1500")
            dev.wait_line("^GO$", 10, start=mark)
            air.client.espnow_flood(MAC, count, length)
            dev.wait_line("^DONE$", 10, start=mark)

        count = 1000 * max(1, rounds // 10)
        rates: dict[str, float] = {}
        for length in (32, 250):
            for how in ("ring", "deque"):
                flood(count, length, count * (12 + length) + 64)
                got, span_us, used, rx, dropped = command(f"consume {how} {count}")
                rate = got / (span_us / 1e6) if span_us else float("inf")
                rates[f"{how}{length}"] = rate
                print(f"{length:3d}-byte frames, {how:5s}: {got} handled at {rate:,.0f} frames/s, "
                      f"{used / max(1, got):6.1f} heap bytes per frame")
            print(f"    the C ring into irecv() is {rates[f'ring{length}'] / rates[f'deque{length}']:.1f}x "
                  "the deque baseline")

        flood(500, 32, 526)
        got, _, _, rx, dropped = command("consume ring 500")
        print(f"burst of 500 x 32-byte frames into the default rxbuf (526 bytes) while busy: "
              f"{rx} kept, {dropped} dropped ({100 * dropped / 500:.0f}%)")

        per_method = 200
        for method in ("recv", "irecv", "recvinto", "iteration"):
            flood(per_method + 1, 32, (per_method + 1) * (12 + 32) + 64)
            (used,) = command(f"heap {method} {per_method}")
            print(f"heap per received frame, {method:9s}: {used / per_method:6.1f} bytes")
        dev.send("quit")


if __name__ == "__main__":
    sys.exit(main(__doc__, run))
