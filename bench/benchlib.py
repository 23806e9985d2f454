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
