"""What the benchmarks share: an air and one device in a temporary directory,
and the command line (--firmware, --rounds)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from netsim.launch import AirProcess, DeviceProcess  # noqa: E402


@contextmanager
def air_and_device(scenario: str, app: str, firmware: Path | None, stdin: bool = False,
                   mac: str | None = None) -> Iterator[tuple[AirProcess, DeviceProcess]]:
    with tempfile.TemporaryDirectory(prefix="netman-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "air.toml").write_text(scenario)
        (workdir / "app.py").write_text(app)
        air = AirProcess(workdir, workdir / "air.toml")
        dev = DeviceProcess(workdir / "app.py", air.path, "bench", firmware, mac=mac, stdin=stdin)
        try:
            yield air, dev
        finally:
            dev.stop()
            air.stop()


def main(doc: str, run: Callable[[Path | None, int], None], rounds: int = 20) -> int:
    """Parse --firmware/--rounds, call run(firmware, rounds), print how long it took."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--firmware", type=Path, default=None, help="default: build/host/micropython")
    parser.add_argument("--rounds", type=int, default=rounds)
    args = parser.parse_args()
    start = time.monotonic()
    run(args.firmware, args.rounds)
    print(f"(benchmark took {time.monotonic() - start:.1f} s)")
    return 0


# The device side of a ring benchmark (bench/espnow.py, bench/sniffer.py):
# the app defines reset(*numbers), consume(how, count) -> (got, span_us,
# heap_bytes, kept, dropped) and heap(method, count) -> heap_bytes, then
# ends with this loop, which answers the host's commands.
RING_COMMANDS = """
print("READY")
poller = select.poll(); poller.register(sys.stdin, select.POLLIN)
while True:
    if not poller.poll(10):
        continue
    cmd = sys.stdin.readline().split()
    if not cmd or cmd[0] == "quit":
        break
    if cmd[0] == "reset":
        reset(*[int(x) for x in cmd[1:]]); print("DONE")
    elif cmd[0] == "block":
        print("GO"); select.poll().poll(int(cmd[1])); print("DONE")
    elif cmd[0] == "consume":
        print("RESULT", *consume(cmd[1], int(cmd[2])))
    elif cmd[0] == "heap":
        print("RESULT", heap(cmd[1], int(cmd[2])))
"""


class RingBench:
    """The host side: frames flooded into the device's ring while it is
    busy, then read through the ring ("ring") or the deque baseline
    ("deque"), and the figures printed."""

    def __init__(self, dev: DeviceProcess, flood: Callable[[int, int], None], record_head: int) -> None:
        self.dev = dev
        self.send_flood = flood          # flood(count, length): the air sends the frames
        self.record_head = record_head   # ring bytes per frame besides its data
        dev.wait_line("^READY$", 15)

    def command(self, text: str) -> list[int]:
        mark = self.dev.send(text)
        return [int(x) for x in self.dev.wait_line("^(RESULT|DONE)", 60, start=mark).string.split()[1:]]

    def flood(self, count: int, length: int, rxbuf: int) -> None:
        self.command(f"reset {rxbuf} {length}")
        mark = self.dev.send("block 1500")
        self.dev.wait_line("^GO$", 10, start=mark)
        self.send_flood(count, length)
        self.dev.wait_line("^DONE$", 10, start=mark)

    def compare(self, lengths: tuple[int, ...], count: int) -> None:
        for length in lengths:
            rates = {}
            for how in ("ring", "deque"):
                self.flood(count, length, count * (self.record_head + length) + 64)
                got, span_us, used, kept, dropped = self.command(f"consume {how} {count}")
                rates[how] = got / (span_us / 1e6) if span_us else float("inf")
                print(f"{length:3d}-byte frames, {how:5s}: {got} handled at {rates[how]:,.0f} frames/s, "
                      f"{used / max(1, got):6.1f} heap bytes per frame ({kept} kept, {dropped} dropped)")
            print(f"    the C ring into irecv() is {rates['ring'] / rates['deque']:.1f}x the deque baseline")

    def burst(self, count: int, length: int, rxbuf: int) -> None:
        self.flood(count, length, rxbuf)
        _, _, _, kept, dropped = self.command(f"consume ring {count}")
        print(f"burst of {count} x {length}-byte frames into the default rxbuf ({rxbuf} bytes) while busy: "
              f"{kept} kept, {dropped} dropped ({100 * dropped / count:.0f}%)")

    def heap(self, methods: tuple[str, ...], per_method: int, length: int) -> None:
        for method in methods:
            frames = per_method + 2  # a first read before the measured ones
            self.flood(frames, length, frames * (self.record_head + length) + 64)
            (used,) = self.command(f"heap {method} {per_method}")
            print(f"heap per received frame, {method:11s}: {used / per_method:6.1f} bytes")
        self.dev.send("quit")
