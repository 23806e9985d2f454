"""tools/netman-run --timeline: the picture of a run holds its events, in order.

The SVG is read back through the data-* attributes every drawn element
carries: lanes (data-lane), rows (data-row), marks (data-kind, data-t,
data-label), state segments (data-state, data-start, data-end) and scripted
faults (data-action, data-t).
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import REPO

SVG = "{http://www.w3.org/2000/svg}"


def netman_run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "tools" / "netman-run"), "--quiet-air", *args],
                          capture_output=True, text=True, timeout=timeout)


class Picture:
    def __init__(self, path: Path) -> None:
        text = path.read_text()
        assert "href" not in text and "<script" not in text  # self-contained: nothing to fetch, nothing to run
        self.root = ET.fromstring(text)

    def lane(self, prefix: str) -> ET.Element:
        lanes = [g for g in self.root.iter(f"{SVG}g") if g.get("class") == "lane"
                 and (g.get("data-lane") or "").startswith(prefix)]
        assert len(lanes) == 1, [g.get("data-lane") for g in self.root.iter(f"{SVG}g") if g.get("class") == "lane"]
        return lanes[0]

    def row(self, lane: str, row: str) -> ET.Element:
        rows = [g for g in self.lane(lane) if g.get("class") == "row" and g.get("data-row") == row]
        assert len(rows) == 1, f"no row {row!r} in lane {lane!r}"
        return rows[0]

    def rows(self, lane: str) -> list[str]:
        return [g.get("data-row") or "" for g in self.lane(lane) if g.get("class") == "row"]

    def marks(self, lane: str, row: str) -> list[tuple[int, str, str, str]]:
        """(t, kind, label, tooltip) of a row's marks, in time order."""
        found = [(int(g.get("data-t") or 0), g.get("data-kind") or "", g.get("data-label") or "",
                  g.findtext(f"{SVG}title") or "")
                 for g in self.row(lane, row) if g.get("class") == "mark"]
        return sorted(found, key=lambda m: m[0])

    def segments(self, lane: str, row: str) -> list[tuple[str, int, int]]:
        return [(r.get("data-state") or "", int(r.get("data-start") or 0), int(r.get("data-end") or 0))
                for r in self.row(lane, row) if r.get("class") == "segment"]

    def faults(self) -> list[tuple[int, str]]:
        return [(int(g.get("data-t") or 0), g.get("data-action") or "")
                for g in self.root.iter(f"{SVG}g") if g.get("class") == "fault"]


def test_the_demo_timeline_shows_loss_and_recovery_in_order(firmware: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.svg"
    result = netman_run("--firmware", str(firmware), "--timeline", str(out),
                        str(REPO / "examples/demo.toml"), str(REPO / "examples/demo.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"[netman-run] timeline written to {out}" in result.stdout
    picture = Picture(out)

    # The scenario's scripted faults, on the time axis.
    assert picture.faults() == [(2000, "ap_down"), (3500, "ap_up")]

    # The AP: up from the start, down at 2 s, up again at 3.5 s.
    states = picture.segments("AP netman-demo", "state")
    assert [s[0] for s in states] == ["up", "down", "up"]
    assert states[0][1] == 0 and 2000 <= states[1][1] < 2100 and 3500 <= states[2][1] < 3600

    # The device: joins, gets an address, loses the AP after it goes down, gets it back.
    station = picture.marks("demo", "station")
    kinds = [kind for _, kind, _, _ in station]
    first_ip = kinds.index("got_ip")
    assert kinds[:first_ip + 1] == ["sta_connect", "associated", "got_ip"]
    assert re.fullmatch(r"127\.77\.0\.\d+", station[first_ip][2])
    lost = kinds.index("beacon_timeout")
    assert lost > first_ip and station[lost][0] >= 2000
    assert kinds[lost + 1] == "disconnected" and station[lost + 1][2] == "beacon_timeout"
    assert "no_ap_found" in [label for _, kind, label, _ in station[lost + 2:] if kind == "disconnected"]
    assert kinds[-2:] == ["associated", "got_ip"] and station[-1][0] >= 3500
    status = [state for state, _, _ in picture.segments("demo", "station")]
    assert status[:3] == ["connecting", "associated", "connected"]
    assert status[3] == "degraded" and status[-1] == "connected"

    # What the demo printed, on its own row, in order.
    printed = [tooltip.split(": ", 1)[1] for _, _, _, tooltip in picture.marks("demo", "output")]
    assert printed[0].startswith("started, status")
    assert printed.index("beacon timeout: the AP went quiet") < len(printed) - 1
    assert printed[-1].startswith("back online after")


DEVICE_A = """
import time, netman
from netman import espnow
netman.wait_for_sta(ssid="home", psk="secret123")
netman.wifi_scan()
e = espnow.ESPNow()
e.active(True)
B, C, NOBODY = b"\\x02\\0\\0\\0\\0\\x0b", b"\\x02\\0\\0\\0\\0\\x0c", b"\\x02\\0\\0\\0\\0\\x0d"
for peer in (B, C, NOBODY):
    e.add_peer(peer)
time.sleep_ms(300)
print("sent", [e.send(B, b"to b") for i in range(3)], [e.send(C, b"to c") for i in range(2)], e.send(NOBODY, b"?"))
time.sleep_ms(1500)
"""

LISTENER = """
import time, netman
from netman import espnow
netman.start(sta={"managed": True})
e = espnow.ESPNow()
e.active(True)
time.sleep_ms(2500)
"""

SCENARIO = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6
rssi = -55

[espnow]
channel = 6

[[event]]
at_ms = 1800
action = "set_rssi"
ssid = "home"
rssi = -72
"""


def test_a_timeline_shows_scans_espnow_per_peer_and_rssi_changes(firmware: Path, tmp_path: Path) -> None:
    (tmp_path / "air.toml").write_text(SCENARIO)
    (tmp_path / "a.py").write_text(DEVICE_A)
    (tmp_path / "b.py").write_text(LISTENER)
    (tmp_path / "c.py").write_text(LISTENER)
    out = tmp_path / "run.svg"
    result = netman_run("--firmware", str(firmware), "--timeline", str(out),
                        "--mac", "a=02:00:00:00:00:0a", "--mac", "b=02:00:00:00:00:0b", "--mac", "c=02:00:00:00:00:0c",
                        *(str(tmp_path / name) for name in ("air.toml", "a.py", "b.py", "c.py")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[a] sent [True, True, True] [True, True] False" in result.stdout
    picture = Picture(out)

    # One row per peer: what a sent to whom, acknowledged or not; what b and c heard.
    a = "a (02:00:00:00:00:0a)"
    assert {"station", "scans", "espnow", "espnow to b 02:00:00:00:00:0b", "espnow to c 02:00:00:00:00:0c",
            "espnow to 02:00:00:00:00:0d", "output"} <= set(picture.rows(a))
    to_b = picture.marks(a, "espnow to b 02:00:00:00:00:0b")
    assert len(to_b) == 3 and all(tip.endswith("acked") and "not acked" not in tip for *_, tip in to_b)
    assert len(picture.marks(a, "espnow to c 02:00:00:00:00:0c")) == 2
    [(_, _, _, lost)] = picture.marks(a, "espnow to 02:00:00:00:00:0d")
    assert lost.endswith("not acked")
    assert len(picture.marks("b (", "espnow from a 02:00:00:00:00:0a")) == 3
    assert len(picture.marks("c (", "espnow from a 02:00:00:00:00:0a")) == 2
    # The sends come after the scan, which comes after the address.
    [(scan_state, scan_start, scan_end)] = picture.segments(a, "scans")
    got_ip = next(t for t, kind, _, _ in picture.marks(a, "station") if kind == "got_ip")
    assert scan_state == "scan" and got_ip <= scan_start < scan_end <= to_b[0][0]

    # The scripted RSSI change: a fault on the axis and a mark on the AP's lane.
    assert picture.faults() == [(1800, "set_rssi")]
    [(t, kind, label, _)] = picture.marks("AP home", "state")
    assert (kind, label) == ("set_rssi", "-72 dBm") and 1800 <= t < 1900


def test_the_html_form_holds_the_picture_and_the_event_list(firmware: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "air.toml"
    scenario.write_text('[[ap]]\nssid = "lab"\n\n[[event]]\nat_ms = 300\naction = "deauth"\nssid = "lab"\n')
    app = tmp_path / "app.py"
    app.write_text("import netman, time\nnetman.wait_for_sta(ssid='lab')\nprint('online')\ntime.sleep_ms(600)\n")
    out = tmp_path / "run.html"
    result = netman_run("--firmware", str(firmware), "--timeline", str(out), str(scenario), str(app))
    assert result.returncode == 0, result.stdout + result.stderr
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    events = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    texts = [f"{source}: {text.split(' ')[0]}" for _, source, text in events]
    order = [texts.index(item) for item in ("air: sta_connect", "air: dhcp_lease", "app: online", "air: deauth",
                                            "air: sta_disconnected")]
    assert order == sorted(order)
    assert [int(t) for t, _, _ in events] == sorted(int(t) for t, _, _ in events)


def test_a_timeline_file_must_be_svg_or_html(tmp_path: Path) -> None:
    result = netman_run("--timeline", str(tmp_path / "run.png"), str(tmp_path / "air.toml"), str(tmp_path / "a.py"))
    assert result.returncode == 2
    assert "must end in .svg or .html" in result.stderr
