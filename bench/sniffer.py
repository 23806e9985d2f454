#!/usr/bin/env python3
"""Sniffer receive path: frames per second from the air through the C ring
into Python (an irecv() loop) at 64 and 256 bytes, against the same frames
copied into a Python deque by the burst callback (the baseline design); heap
bytes per frame for irecv, recvinto, iteration, async iteration and Pycom's
wifi_packet(); how many frames a burst into the default ring keeps and drops.
Figures only; nothing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

from benchlib import RING_COMMANDS, RingBench, air_and_device, main

MAC = "02:00:00:00:be:02"

APP = """
import gc, time, select, sys, netman
from collections import deque
from netman.sniffer import Sniffer, SnifferFrame
netman.start(sta={"managed": True})
sn = Sniffer()
queue = deque((), 100000)
def reset(rxbuf, length):
    sn.start(channel=1, rxbuf=rxbuf, snaplen=max(length, 256))
def to_deque(s):
    # The baseline design: every frame becomes Python objects in a queue.
    while True:
        frame = s.irecv()
        if frame is None:
            return
        queue.append((frame.channel, frame.rssi, bytes(frame.data)))
def consume(how, count):
    got = 0
    gc.collect()
    before = gc.mem_alloc()
    start = time.ticks_us()
    if how == 'ring':
        while got < count:
            frame = sn.irecv()
            if frame is None:
                break
            got += 1
    else:
        to_deque(sn)
        while got < count and queue:
            queue.popleft()
            got += 1
    span = time.ticks_diff(time.ticks_us(), start)
    used = gc.mem_alloc() - before
    stats = sn.stats()
    return got, span, used, stats['received'], stats['dropped']
async def drain_async(count):
    n = 0
    async for frame in sn:
        n += 1
        if n == count:
            return
def heap(method, count):
    frame = SnifferFrame(256)
    sn.irecv()
    wlan = None
    if method == 'wifi_packet':
        from netman.pycom import Packet
    gc.collect(); gc.disable()
    before = gc.mem_alloc()
    n = 0
    if method == 'iteration':
        for f in sn:
            n += 1
            if n == count:
                break
    elif method == 'async':
        import asyncio
        gc.enable(); asyncio.run(drain_async(0 + 1)); gc.collect(); gc.disable()
        before = gc.mem_alloc()
        asyncio.run(drain_async(count))
    else:
        for _ in range(count):
            if method == 'irecv':
                sn.irecv()
            elif method == 'recvinto':
                sn.recvinto(frame)
            else:
                Packet(sn.irecv())
    used = gc.mem_alloc() - before
    gc.enable()
    return used
""" + RING_COMMANDS


def run(firmware: Path | None, rounds: int) -> None:
    with air_and_device("", APP, firmware, stdin=True, mac=MAC) as (air, dev):
        # A ring record is 10 bytes of meta besides the frame's bytes kept.
        bench = RingBench(dev, lambda count, length: air.client.sniff_flood(MAC, count, length), 10)
        # The ring and the baseline's copies share the heap: fewer frames than ESP-NOW's bench.
        bench.compare((64, 256), 500 * max(1, rounds // 10))
        bench.burst(500, 64, 8192)
        bench.heap(("irecv", "recvinto", "iteration", "async", "wifi_packet"), 200, 64)


if __name__ == "__main__":
    sys.exit(main(__doc__, run))
