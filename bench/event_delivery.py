#!/usr/bin/env python3
"""Event delivery: air frame -> I/O thread -> C queue -> Python callback.

Prints the callback rate for bursts that fit the queue, the heap bytes the
delivery allocates per event, and how a burst far beyond the queue is counted.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchlib import air_and_device, main

SCENARIO = '[[ap]]\nssid = "bench"\n'

APP = """
import gc, time, netman, _netman
seen = [0, 0, 0]  # events, first ticks_us, last ticks_us
def beacon():
    if seen[0] == 0:
        seen[1] = time.ticks_us()
    seen[0] += 1
    seen[2] = time.ticks_us()
netman.start(sta=dict(ssid="bench", beacon_timeout=beacon, disconnected=lambda: None,
                      got_ip=lambda ip: print("READY", _netman.QUEUE_LEN)))

def settle():
    # Wait until no event arrived for 300 ms.
    last = -1
    while seen[0] != last:
        last = seen[0]
        time.sleep_ms(300)

import sys, select
poller = select.poll()
poller.register(sys.stdin, select.POLLIN)
while True:
    if not poller.poll(10):
        continue
    cmd = sys.stdin.readline().strip()
    if cmd == "measure":
        seen[0] = 0
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        print("GO")
        settle()
        used = gc.mem_alloc() - before
        gc.enable()
        print("RESULT", seen[0], time.ticks_diff(seen[2], seen[1]), used, netman.stats()["queue_overflows"])
    elif cmd == "block":
        seen[0] = 0
        print("GO")
        select.poll().poll(1000)  # the VM thread does not drain meanwhile
        settle()
        print("RESULT", seen[0], time.ticks_diff(seen[2], seen[1]), 0, netman.stats()["queue_overflows"])
    elif cmd == "quit":
        break
"""


def run(firmware: Path | None, rounds: int) -> None:
    with air_and_device(SCENARIO, APP, firmware, stdin=True) as (air, dev):
        queue_len = int(dev.wait_line(r"^READY (\d+)", 15).group(1))

        def measure(cmd: str, count: int) -> tuple[int, int, int, int]:
            mark = dev.send(cmd)
            dev.wait_line("^GO$", 10, start=mark)
            air.client.beacon_loss("bench", count=count)
            fields = dev.wait_line(r"^RESULT ", 30, start=mark).string.split()[1:]
            events, span_us, heap, overflows = (int(f) for f in fields)
            return events, span_us, heap, overflows

        burst = queue_len - 2
        total_events = total_us = total_heap = 0
        for _ in range(rounds):
            events, span_us, heap, _ = measure("measure", burst)
            total_events += events
            total_us += span_us
            total_heap += heap
        print(f"queue length:                    {queue_len} events")
        print(f"bursts of {burst} events, {rounds} rounds: {total_events} delivered")
        rate = total_events / (total_us / 1e6) if total_us else float("inf")
        print(f"callback rate within a burst:    {rate:,.0f} events/s")
        print(f"heap allocated per event:        {total_heap / max(1, total_events):.1f} bytes "
              "(dispatcher call + callback)")

        flood = 50 * queue_len
        before = measure("block", 1)[3]
        events, _, _, overflows = measure("block", flood)
        print(f"flood of {flood} while the VM thread is blocked: "
              f"{events} delivered, {overflows - before} counted as overflow")
        dev.send("quit")
        dev.wait_exit(10)


if __name__ == "__main__":
    sys.exit(main(__doc__, run))
