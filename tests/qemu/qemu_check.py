#!/usr/bin/env python3
"""Boot a netman ESP32-C3 image in QEMU (the esp32c3-picsimlab machine of
lcgamboa's QEMU, with its emulated WiFi) and check it over the emulated UART.

    tests/qemu/qemu_check.py --firmware build/firmware/ESP32_GENERIC_C3/firmware.bin \\
        --qemu ~/qemu/build/qemu-system-riscv32 [--efuse my.efuse]

Each check prints one line, "ok - ..." or "FAIL - ..." with what the board
answered; the exit status is the number of failures (0: all passed). The
model's WiFi has three open APs (PICSimLabWifi on channel 1, Espressif on 5,
MasseyWifi on 10) and gives addresses by QEMU's user networking (restricted:
nothing leaves the machine). ESP-NOW runs between two QEMU instances whose
NICs are joined by UDP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FLASH_SIZE = 4 * 1024 * 1024
EFUSE_SIZE = 4096
# The efuse file holds the C3's efuse registers from EFUSE_RD_WR_DIS_REG (0x2c)
# on: BLOCK1 starts at byte 0x18, with the factory MAC last byte first
# (esp_efuse_table.csv: MAC at BLK1 bits 0-47) and WAFER_VERSION_MINOR_LO at
# BLK1 bits 114-116. The chip revision must be v0.3 at least: ESP-IDF's
# default CONFIG_ESP32C3_REV_MIN_3, below which the bootloader refuses to boot.
EFUSE_MAC_OFFSET = 0x18
EFUSE_WAFER_MINOR_LO = (0x18 + 114 // 8, 114 % 8)
CHIP_REVISION_MINOR = 3
# QEMU's user networking: the guest's first DHCP address.
DHCP_ADDRESS = "10.0.2.15"
MODEL_APS = {"PICSimLabWifi": 1, "Espressif": 5, "MasseyWifi": 10}


# The model's clock follows the instructions executed (-icount): on a loaded
# machine emulated seconds take several wall-clock seconds, so every wait on
# the board is this many times what the board itself waits.
SLOWDOWN = float(os.environ.get("QEMU_CHECK_SLOWDOWN", "4"))


class CheckFailed(Exception):
    pass


class Board:
    """One QEMU instance, its UART on our stdin/stdout pipes, spoken to
    through MicroPython's raw REPL (as mpremote does)."""

    def __init__(self, name: str, qemu: Path, flash: Path, efuse: Path, nic: str, log: Path) -> None:
        self.name = name
        self.log = log.open("wb")
        self.buffer = bytearray()
        self.lock = threading.Condition()
        command = [str(qemu), "-M", "esp32c3-picsimlab", "-nographic", "-monitor", "none",
                   "-serial", "stdio",
                   "-drive", f"file={flash},if=mtd,format=raw",
                   "-drive", f"file={efuse},if=none,format=raw,id=efuse",
                   "-global", "driver=nvram.esp32c3.efuse,property=drive,value=efuse",
                   "-global", "driver=timer.esp32c3.timg,property=wdt_disable,value=true",
                   "-icount", "shift=3,align=off,sleep=on",
                   "-nic", nic]
        # The C3's boot ROM: QEMU finds it in its build tree; a copied binary
        # has it beside itself.
        if (qemu.parent / "esp32c3-rom.bin").is_file():
            command[1:1] = ["-L", str(qemu.parent)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while True:
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                break
            self.log.write(chunk)
            self.log.flush()
            with self.lock:
                self.buffer += chunk
                self.lock.notify_all()

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def expect(self, pattern: bytes, timeout: float) -> bytes:
        """Everything up to and including the first `pattern`; consumed."""
        timeout *= SLOWDOWN
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                at = self.buffer.find(pattern)
                if at >= 0:
                    text = bytes(self.buffer[:at + len(pattern)])
                    del self.buffer[:at + len(pattern)]
                    return text
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise CheckFailed(f"{self.name}: no {pattern!r} within {timeout:.0f} s; "
                                      f"last output: {bytes(self.buffer[-300:])!r}")
                self.lock.wait(min(left, 0.5))

    def boot(self, timeout: float = 120) -> str:
        banner = self.expect(b">>> ", timeout)
        found = re.findall(rb"MicroPython [^\r\n]*", banner)
        if not found:
            raise CheckFailed(f"{self.name}: a prompt without a banner: {banner[-300:]!r}")
        return found[-1].decode(errors="replace")

    def enter_raw(self) -> None:
        self.write(b"\r\x03\x03\x01")
        self.expect(b"raw REPL; CTRL-B to exit\r\n>", 20)

    def run(self, code: str, timeout: float = 60) -> str:
        """Run code in the raw REPL: its output, or CheckFailed with its error."""
        self.write(code.encode() + b"\x04")
        self.expect(b"OK", 10)
        out = self.expect(b"\x04", timeout)[:-1]
        err = self.expect(b"\x04", 10)[:-1]
        self.expect(b">", 10)
        if err.strip():
            raise CheckFailed(f"{self.name}: {err.decode(errors='replace').strip()}")
        return out.decode(errors="replace").strip()

    def soft_reset(self, timeout: float = 120) -> str:
        self.write(b"\x02")          # back to the friendly REPL
        self.expect(b">>> ", 10)
        self.write(b"\x04")          # Ctrl-D: soft reset
        banner = self.boot(timeout)
        self.enter_raw()
        return banner

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()


def make_flash(firmware: Path, path: Path) -> None:
    image = firmware.read_bytes()
    if len(image) > FLASH_SIZE:
        raise SystemExit(f"{firmware}: {len(image)} bytes do not fit the model's {FLASH_SIZE}-byte flash")
    path.write_bytes(image + b"\xff" * (FLASH_SIZE - len(image)))


def make_efuse(template: Path | None, mac: bytes, path: Path) -> None:
    data = bytearray(template.read_bytes() if template else bytes(EFUSE_SIZE))
    data[EFUSE_MAC_OFFSET:EFUSE_MAC_OFFSET + 6] = mac[::-1]
    if template is None:
        at, bit = EFUSE_WAFER_MINOR_LO
        data[at] |= CHIP_REVISION_MINOR << bit
    path.write_bytes(bytes(data))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Report:
    def __init__(self) -> None:
        self.failures = 0

    def check(self, what: str, run) -> object:  # type: ignore[no-untyped-def]
        try:
            detail = run()
        except CheckFailed as e:
            self.failures += 1
            print(f"FAIL - {what}: {e}", flush=True)
            return None
        print(f"ok - {what}" + (f": {detail}" if detail else ""), flush=True)
        return detail


def expect_equal(got: object, wanted: object) -> None:
    if got != wanted:
        raise CheckFailed(f"got {got!r}, wanted {wanted!r}")


# Board-side helpers, sent once after each (re)boot.
HELPERS = r"""
import netman, network, time
EV = []
def cb(name):
    def f(*a):
        EV.append((name,) + a)
    return f
def wait_for(cond, ms):
    t = time.ticks_ms()
    while not cond():
        if time.ticks_diff(time.ticks_ms(), t) > ms:
            return False
        time.sleep_ms(20)
    return True
"""


def station_checks(board: Board, report: Report, banner: str) -> None:
    def banner_names_the_release() -> str:
        if "MicroPython v1.28.0" not in banner:
            raise CheckFailed(f"unexpected banner {banner!r}")
        return banner
    report.check("banner", banner_names_the_release)
    board.run(HELPERS)

    def scan_limit() -> str:
        out = board.run("print(netman.MAX_SCAN_RESULTS)")
        expect_equal(out, "20")
        return f"import netman, MAX_SCAN_RESULTS = {out}"
    report.check("import netman", scan_limit)

    def start_and_join() -> str:
        out = board.run(
            "netman.start(sta={'ssid': 'Espressif', 'connected': cb('connected'), 'got_ip': cb('got_ip'),"
            " 'disconnected': cb('disconnected')})\n"
            "print(wait_for(lambda: any(e[0] == 'got_ip' for e in EV), 30000))\n"
            "print([e[0] for e in EV]); print(EV[-1][1][0]); print(netman.sta_status())", timeout=60)
        ok, order, address, status = out.splitlines()
        expect_equal(ok, "True")
        expect_equal(order, "['connected', 'got_ip']")
        expect_equal(address, DHCP_ADDRESS)
        expect_equal(status, "connected")
        return f"connected -> got_ip {address}"
    report.check("netman.start(sta={'ssid': 'Espressif'}) joins", start_and_join)

    def scan() -> str:
        out = board.run("f, nets = netman.wifi_scan()\n"
                        "print(sorted((n['ssid'], n['channel']) for n in nets))", timeout=60)
        seen = dict(eval(out))  # noqa: S307 - a list of (str, int) printed by the board
        for ssid, channel in MODEL_APS.items():
            if seen.get(ssid) != channel:
                raise CheckFailed(f"scan saw {seen}, not {ssid} on channel {channel}")
        return ", ".join(f"{s} ch {c}" for s, c in sorted(seen.items(), key=lambda i: i[1]))
    report.check("wifi_scan() lists the model's three APs", scan)

    def disconnect() -> str:
        out = board.run(
            "EV.clear(); netman.sta_disconnect()\n"
            "print(wait_for(lambda: EV, 10000)); time.sleep_ms(4000)\n"
            "print([e[0] for e in EV]); print(netman.info()['disconnect_reason']); print(netman.sta_status())",
            timeout=60)
        ok, order, reason, status = out.splitlines()
        expect_equal(ok, "True")
        expect_equal(order, "['disconnected']")
        expect_equal(reason, "by_request")
        expect_equal(status, "disconnected")
        return "disconnected, by_request, no reconnect in 4 s"
    report.check("sta_disconnect()", disconnect)

    def network_after_stop() -> str:
        out = board.run(
            "netman.stop(); sta = network.WLAN(network.STA_IF); sta.active(True); print(sta.active())\n"
            "print(sorted(set(n[0] for n in sta.scan())))", timeout=60)
        active, ssids = out.splitlines()
        expect_equal(active, "True")
        if "Espressif" not in ssids:
            raise CheckFailed(f"network's scan after netman.stop(): {ssids}")
        return f"active(True) at once, its scan sees {ssids}"
    report.check("netman.stop() then network.WLAN(STA_IF).active(True)", network_after_stop)

    def netman_leave_holds(before: str, before_answers: list[str]) -> None:
        # What the application did with network first, then netman joins and
        # leaves: network's own reconnect must not override netman's
        # disconnect (issue 12, item 2).
        out = board.run(
            before + "\nEV.clear(); netman.start(sta={'ssid': 'Espressif', 'got_ip': cb('got_ip'),"
            " 'disconnected': cb('disconnected')})\n"
            "print(wait_for(lambda: any(e[0] == 'got_ip' for e in EV), 30000))\n"
            "EV.clear(); netman.sta_disconnect(); time.sleep_ms(5000)\n"
            "print([e[0] for e in EV]); print(netman.sta_status()); print(sta.isconnected())", timeout=90)
        expect_equal(out.splitlines(), before_answers + ["True", "['disconnected']", "disconnected", "False"])

    def network_then_netman() -> str:
        netman_leave_holds("sta.connect('Espressif'); print(wait_for(sta.isconnected, 30000))", ["True"])
        return "WLAN.connect(), then netman joins, leaves and stays left for 5 s"
    report.check("network's WLAN.connect() before netman", network_then_netman)

    def connect_then_inactive_before_netman() -> str:
        # network's reconnect flag stays set; netman starts the driver itself.
        netman_leave_holds("netman.stop(); sta.connect('Espressif'); print(wait_for(sta.isconnected, 30000))\n"
                           "sta.active(False); print(sta.active())", ["True", "False"])
        return "WLAN.connect(), active(False), then netman starts the radio, joins, leaves, stays left for 5 s"
    report.check("network's WLAN.connect() then active(False) before netman", connect_then_inactive_before_netman)

    def network_activated_while_netman_runs() -> str:
        # netman started the driver; the application then activates network's
        # station on it (issue 12, item 1): network must work at once after
        # netman.stop().
        out = board.run(
            "print(netman.sta_status() != 'inactive', sta.active())\n"
            "sta.active(True); print(sta.active())\n"
            "netman.stop(); t = time.ticks_ms(); sta.active(True); ms = time.ticks_diff(time.ticks_ms(), t)\n"
            "print(b'Espressif' in set(n[0] for n in sta.scan()))\n"
            "sta.connect('Espressif'); print(wait_for(sta.isconnected, 30000)); print(ms)", timeout=90)
        *answers, ms = out.splitlines()
        # netman running, network's station off; on; then its scan and join.
        expect_equal(answers, ["True False", "True", "True", "True"])
        return f"sta.active(True) on netman's radio; after netman.stop() active(True) in {ms} ms, scan, connect"
    report.check("network.WLAN activated while netman runs, then netman.stop()", network_activated_while_netman_runs)

    def soft_reset_then_network(activate_during: bool) -> str:
        # netman starts the driver itself (network's station off first); a
        # soft reset closes it; then network.WLAN must activate and connect.
        joined = board.run("netman.stop(); network.WLAN(network.STA_IF).active(False)\n"
                           "netman.start(sta={'ssid': 'Espressif'})\n"
                           "print(wait_for(lambda: netman.sta_status() == 'connected', 30000))"
                           + ("\nprint(network.WLAN(network.STA_IF).active(True))" if activate_during else ""),
                           timeout=60)
        expect_equal(joined.splitlines(), ["True"] * (2 if activate_during else 1))
        banner = board.soft_reset()
        board.run(HELPERS)
        out = board.run("sta = network.WLAN(network.STA_IF); sta.active(True); print(sta.active())\n"
                        "sta.connect('Espressif'); print(wait_for(sta.isconnected, 30000))", timeout=60)
        expect_equal(out.splitlines(), ["True", "True"])
        return f"after Ctrl-D ({banner.split(' on ')[0]}) network.WLAN activates and connects"
    report.check("soft reset with netman running, then network.WLAN", lambda: soft_reset_then_network(False))
    report.check("soft reset with netman running and network's station activated on its radio, then network.WLAN",
                 lambda: soft_reset_then_network(True))


ESPNOW_RECEIVER = r"""
from netman import espnow
netman.start(sta={'managed': True})
e = espnow.ESPNow(); e.active(True)
print(netman.info()['mac'].hex())
"""


def espnow_checks(a: Board, b: Board, mac_a: bytes, mac_b: bytes, report: Report) -> None:
    def exchange() -> str:
        for board in (a, b):
            board.run(HELPERS)
            mac = board.run(ESPNOW_RECEIVER)
            wanted = (mac_a if board is a else mac_b).hex()
            expect_equal(mac, wanted)
        b.run(f"e.add_peer({mac_a!r})")
        a.run(f"e.add_peer({mac_b!r})")
        sent = a.run(f"print([e.send({mac_b!r}, b'ping %d' % i) for i in range(3)])", timeout=30)
        got = b.run("print([e.recv(5000)[1] for i in range(3)])", timeout=60)
        expect_equal(got, "[b'ping 0', b'ping 1', b'ping 2']")
        back = b.run(f"print(e.send({mac_a!r}, b'pong'))", timeout=30)
        heard = a.run("m, msg = e.recv(5000); print(m == " + repr(mac_b) + ", msg)", timeout=30)
        expect_equal(heard, "True b'pong'")
        return f"3 frames A->B (acked {sent}), one back (acked {back})"
    report.check("ESP-NOW between two QEMU instances through netman.espnow", exchange)

    def on_network_radio() -> str:
        # MicroPython's documented way (issue 12, item 7): the radio started by
        # network.WLAN, netman not started, on the channel network set. The
        # model delivers frames only between radios on the same channel.
        for board in (a, b):
            board.run("e.active(False); netman.stop()\n"
                      "sta = network.WLAN(network.STA_IF); sta.active(True); sta.config(channel=6)\n"
                      "e = espnow.ESPNow(); e.active(True)")
        b.run(f"e.add_peer({mac_a!r})")
        a.run(f"e.add_peer({mac_b!r})")
        channels = a.run("print(sta.config('channel'), netman.sta_status())")
        expect_equal(channels, "6 inactive")
        sent = a.run(f"print(e.send({mac_b!r}, b'on network'))", timeout=30)
        got = b.run("m, msg = e.recv(5000); print(msg)", timeout=30)
        expect_equal((sent, got), ("True", "b'on network'"))
        # A soft reset with ESP-NOW on network's radio stops it before the heap goes.
        banner = a.soft_reset()
        a.run(HELPERS)
        after = a.run("from netman import espnow; print(espnow.ESPNow().active())")
        expect_equal(after, "False")
        return f"sent and heard on channel 6 with netman inactive; a soft reset after it boots ({banner.split(' on ')[0]})"
    report.check("ESP-NOW on a radio network.WLAN started", on_network_radio)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firmware", required=True, type=Path, help="firmware.bin (bootloader, partitions, app)")
    parser.add_argument("--qemu", required=True, type=Path, help="qemu-system-riscv32 of the picsimlab-esp32 branch")
    parser.add_argument("--efuse", type=Path, help="efuse file to start from (the MAC is set per instance)")
    parser.add_argument("--logs", type=Path, help="keep each instance's UART output here")
    args = parser.parse_args()
    for path in (args.firmware, args.qemu) + ((args.efuse,) if args.efuse else ()):
        if not path.is_file():
            print(f"test-qemu: {path}: no such file", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="netman-qemu-"))
    logs = args.logs or work
    logs.mkdir(parents=True, exist_ok=True)
    report = Report()
    mac_a, mac_b = bytes.fromhex("02c3000000a1"), bytes.fromhex("02c3000000b2")
    boards: list[Board] = []
    try:
        for name, mac in (("a", mac_a), ("b", mac_b)):
            make_flash(args.firmware, work / f"flash-{name}.bin")
            make_efuse(args.efuse, mac, work / f"efuse-{name}.bin")
        # First: one board on the model's APs, QEMU's DHCP behind them.
        board = Board("a", args.qemu, work / "flash-a.bin", work / "efuse-a.bin",
                      "user,model=esp32c3_wifi,restrict=on", logs / "uart-station.log")
        boards.append(board)
        banner = report.check("boot", lambda: board.boot())
        if banner:
            board.enter_raw()
            station_checks(board, report, str(banner))
        board.close()
        boards.clear()
        # Then two boards whose radios hear each other.
        port_a, port_b = free_udp_port(), free_udp_port()
        a = Board("a", args.qemu, work / "flash-a.bin", work / "efuse-a.bin",
                  f"socket,model=esp32c3_wifi,udp=127.0.0.1:{port_b},localaddr=127.0.0.1:{port_a}",
                  logs / "uart-espnow-a.log")
        b = Board("b", args.qemu, work / "flash-b.bin", work / "efuse-b.bin",
                  f"socket,model=esp32c3_wifi,udp=127.0.0.1:{port_a},localaddr=127.0.0.1:{port_b}",
                  logs / "uart-espnow-b.log")
        boards += [a, b]
        booted = [report.check(f"boot ESP-NOW board {x.name}", lambda x=x: x.boot()) for x in (a, b)]
        if all(booted):
            a.enter_raw()
            b.enter_raw()
            espnow_checks(a, b, mac_a, mac_b, report)
    finally:
        for board in boards:
            board.close()
        if not args.logs:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{report.failures} failed" if report.failures else "all QEMU checks passed")
    return min(report.failures, 100)


if __name__ == "__main__":
    sys.exit(main())
