#!/usr/bin/env python3
"""What `import netman` costs, and each lazily loaded submodule on top.

Prints the heap bytes in use after `import netman` and after first touching
netman.credentials, .espnow, .aioespnow and .aio (each loaded by the module
__getattr__ on first use), and which modules are loaded at each step.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from benchlib import main

APP = """
import gc, sys
def step(name):
    gc.collect()
    used = gc.mem_alloc() - base
    loaded = sorted(m for m in sys.modules if m in ("asyncio", "netman.aio", "netman.espnow",
                                                    "netman.aioespnow", "netman.credentials"))
    print(name + "\t" + str(used) + "\t" + " ".join(loaded))
gc.collect()
base = gc.mem_alloc()
import netman
step("import netman")
for name in ("credentials", "espnow", "aioespnow", "aio"):
    getattr(netman, name)
    step("+ netman." + name)
"""


def run(firmware: Path | None, rounds: int) -> None:
    from netsim.launch import firmware_path

    with tempfile.TemporaryDirectory(prefix="netman-bench-") as tmp:
        app = Path(tmp) / "imports.py"
        app.write_text(APP)
        # The smallest of a few runs, against allocator noise.
        best: dict[str, tuple[int, str]] = {}
        for _ in range(max(1, min(rounds, 5))):
            out = subprocess.run([str(firmware or firmware_path()), str(app)], capture_output=True, text=True,
                                 timeout=30, check=True).stdout
            for line in out.splitlines():
                step, heap, loaded = line.split("\t")
                if step not in best or int(heap) < best[step][0]:
                    best[step] = (int(heap), loaded)
        previous = 0
        print(f"{'step':<26} {'heap bytes':>10} {'added':>8}  loaded")
        for step, (heap, loaded) in best.items():
            print(f"{step:<26} {heap:>10} {heap - previous:>8}  {loaded or '-'}")
            previous = heap


if __name__ == "__main__":
    raise SystemExit(main(__doc__ or "", run))
