#!/usr/bin/env python3
"""ESP-NOW receive path: frames per second from the air through the C ring
into Python (irecv loop) at 32 and 250 bytes, the drop rate for a small
rxbuf, heap bytes per frame for recv/irecv/recvinto/iteration, and the same
workload through a pure-Python deque filled by a callback, as the baseline.
Figures only; nothing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

from benchlib import RING_COMMANDS, RingBench, air_and_device, main

MAC = "02:00:00:00:be:01"

APP = """
import gc, time, select, sys, netman
from collections import deque
from netman.espnow import ESPNow
netman.start(sta=dict(managed=True))
e = ESPNow()
queue = deque((), 100000)
base = [0, 0]
def reset(rxbuf, length):
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
    used = gc.mem_alloc() - before
    rx, dropped = e.stats()[3:]
    return got, span, used, rx - base[0], dropped - base[1]
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
""" + RING_COMMANDS


def run(firmware: Path | None, rounds: int) -> None:
    with air_and_device("", APP, firmware, stdin=True, mac=MAC) as (air, dev):
        bench = RingBench(dev, lambda count, length: air.client.espnow_flood(MAC, count, length), 12)
        bench.compare((32, 250), 1000 * max(1, rounds // 10))
        bench.burst(500, 32, 526)
        bench.heap(("recv", "irecv", "recvinto", "iteration"), 200, 32)


if __name__ == "__main__":
    sys.exit(main(__doc__, run))
