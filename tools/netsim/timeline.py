"""A picture of a run: one lane per device and per access point on one time
axis, drawn from the air's history (what the control socket's "history"
returns), the scenario's scripted faults and the devices' output lines.

render_svg() / render_html() return one self-contained file (inline style,
no scripts, no external assets). Every drawn event carries data-* attributes
(lane, row, kind, t) so that tests and tools can read the picture back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from .scenario import Scenario

# The station statuses netman reports (netman.sta_status()), as the air sees them.
STATUS_COLORS = {
    "connecting": "#f2c94c",
    "associated": "#9ad19a",
    "connected": "#27ae60",
    "degraded": "#f2994a",
    "disconnecting": "#bdbdbd",
    "disconnected": "#eb5757",
}
AP_COLORS = {"up": "#6fcf97", "down": "#d0d0d0"}
SCAN_COLOR = "#56ccf2"
# The XML namespace name a standalone SVG file must declare: an identifier, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

LABEL_W = 230
PLOT_W = 900
RIGHT_W = 110  # room for the labels of the last events
CHAR_W = 6.5   # a label character's width, about
ROW_H = 20
LANE_GAP = 10
TOP = 60


@dataclass
class Segment:
    start_ms: int
    end_ms: int | None  # None: until the end of the run
    state: str
    color: str


@dataclass
class Mark:
    t_ms: int
    kind: str
    label: str      # drawn beside the mark ("" for none)
    detail: str     # the tooltip
    color: str = "#333333"


@dataclass
class Row:
    name: str
    segments: list[Segment] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def enter(self, t_ms: int, state: str, color: str) -> None:
        """A new state from t_ms on (ends the current one)."""
        self.leave(t_ms)
        self.segments.append(Segment(t_ms, None, state, color))

    def leave(self, t_ms: int) -> None:
        if self.segments and self.segments[-1].end_ms is None:
            self.segments[-1].end_ms = t_ms


@dataclass
class Lane:
    kind: str   # "device" or "ap"
    title: str
    rows: dict[str, Row] = field(default_factory=dict)

    def row(self, name: str) -> Row:
        if name not in self.rows:
            self.rows[name] = Row(name)
        return self.rows[name]


@dataclass
class Fault:
    t_ms: int
    action: str
    args: dict[str, Any]


@dataclass
class Timeline:
    lanes: list[Lane]
    faults: list[Fault]
    end_ms: int
    log: list[tuple[int, str, str]]  # (t_ms, source, text), in time order


class _Builder:
    """Replays the air's history into lanes."""

    def __init__(self, scenario: Scenario) -> None:
        self.names: dict[str, str] = {}   # device MAC -> its name on the air
        self.devices: dict[str, Lane] = {}  # by MAC
        self.by_name: dict[str, Lane] = {}
        self.aps: dict[str, Lane] = {}
        self.order: list[Lane] = []
        self.joined: dict[str, str] = {}  # device MAC -> SSID it is associated with
        self.scans: dict[str, int] = {}   # device MAC -> when its scan started
        for ap in scenario.aps:
            lane = self._ap(ap.ssid, f"channel {ap.channel}, {ap.rssi} dBm")
            lane.row("state").enter(0, "up", AP_COLORS["up"])

    def _device(self, mac: str) -> Lane:
        if mac not in self.devices:
            name = self.names.get(mac, mac)
            lane = Lane("device", f"{name} ({mac})" if name != mac else mac)
            self.devices[mac] = self.by_name[name] = lane
            self.order.append(lane)
        return self.devices[mac]

    def named(self, name: str) -> Lane:
        """The lane of the device called `name` (one that never joined the air gets its own)."""
        if name not in self.by_name:
            self.by_name[name] = Lane("device", name)
            self.order.append(self.by_name[name])
        return self.by_name[name]

    def _ap(self, ssid: str, about: str = "") -> Lane:
        if ssid not in self.aps:
            lane = Lane("ap", f"AP {ssid}" + (f" ({about})" if about else ""))
            self.aps[ssid] = lane
            self.order.append(lane)
        return self.aps[ssid]

    def _status(self, t: int, mac: str, status: str) -> None:
        self._device(mac).row("station").enter(t, status, STATUS_COLORS[status])

    def _station_mark(self, t: int, mac: str, kind: str, label: str, detail: str, color: str) -> None:
        self._device(mac).row("station").marks.append(Mark(t, kind, label, detail, color))

    def _degrade(self, t: int, ssid: str, why: str) -> None:
        for mac, joined in self.joined.items():
            if joined == ssid:
                self._status(t, mac, "degraded")
                self._station_mark(t, mac, "beacon_timeout", "", f"beacon timeout ({why})", "#f2994a")

    def apply(self, entry: dict[str, Any]) -> None:
        t, event = int(entry["t_ms"]), entry["event"]
        mac: str = entry.get("mac") or ""
        if event == "device_joined_air":
            self.names[mac] = entry.get("name") or mac
            self._device(mac)
        elif event == "device_left_air":
            for row in self._device(mac).rows.values():
                row.leave(t)
            self.joined.pop(mac, None)
        elif event == "sta_connect":
            self._status(t, mac, "connecting")
            self._station_mark(t, mac, "sta_connect", "", f"join {entry.get('ssid')}", "#b8860b")
        elif event == "sta_associated":
            self.joined[mac] = entry["ssid"]
            self._status(t, mac, "associated")
            self._station_mark(t, mac, "associated", "", f"associated with {entry['ssid']}", "#2e7d32")
        elif event in ("dhcp_lease", "static_ip"):
            self._status(t, mac, "connected")
            how = "DHCP" if event == "dhcp_lease" else "static"
            self._station_mark(t, mac, "got_ip", entry["ip"], f"got_ip {entry['ip']} ({how})", "#1b5e20")
        elif event == "dhcp_no_offer":
            self._station_mark(t, mac, "dhcp_no_offer", "no DHCP", "no DHCP offer", "#c62828")
        elif event == "sta_disconnect":
            self._status(t, mac, "disconnecting")
        elif event == "sta_disconnected":
            self.joined.pop(mac, None)
            self._status(t, mac, "disconnected")
            reason = entry.get("reason", "")
            self._station_mark(t, mac, "disconnected", reason, f"disconnected: {reason}", "#c62828")
        elif event == "scan_beacon_timeout":
            self._status(t, mac, "degraded")
            self._station_mark(t, mac, "beacon_timeout", "", "beacon timeout (scanning away from the AP)",
                               "#f2994a")
        elif event == "scan":
            self.scans[mac] = t
            what = "passive" if entry.get("passive") else "active"
            self._device(mac).row("scans").marks.append(
                Mark(t, "scan", "", f"{what} scan, dwell {entry.get('dwell_ms')} ms", SCAN_COLOR))
        elif event == "scan_done":
            start = self.scans.pop(mac, t)
            row = self._device(mac).row("scans")
            row.segments.append(Segment(start, t, "scan", SCAN_COLOR))
            row.marks.append(Mark(t, "scan_done", "", f"scan done after {t - start} ms", "#1f78b4"))
        elif event == "espnow_send":
            self._espnow(t, entry)
        elif event == "espnow_active":
            active = "listening" if entry.get("active") else "not listening"
            self._device(mac).row("espnow").marks.append(Mark(t, "espnow_active", "", f"ESP-NOW {active}", "#555"))
        elif event in ("ap_down", "ap_up", "ap_added", "ap_removed"):
            row = self._ap(entry["ssid"]).row("state")
            if event in ("ap_up", "ap_added"):
                row.enter(t, "up", AP_COLORS["up"])
            elif event == "ap_down":
                row.enter(t, "down", AP_COLORS["down"])
                self._degrade(t, entry["ssid"], "the AP went down")
            else:
                row.leave(t)
            row.marks.append(Mark(t, event, event.replace("ap_", ""), f"{event} {entry['ssid']}", "#333"))
        elif event == "set_rssi":
            self._ap(entry["ssid"]).row("state").marks.append(
                Mark(t, "set_rssi", f"{entry['rssi']} dBm", f"RSSI now {entry['rssi']} dBm", "#6a1b9a"))
        elif event in ("beacon_loss", "deauth", "set_psk"):
            self._ap(entry["ssid"]).row("state").marks.append(Mark(t, event, event, f"{event} {entry['ssid']}"))
            if event == "beacon_loss":
                self._degrade(t, entry["ssid"], "beacons lost")
        elif event == "ap_started":
            lane = self._ap(entry["ssid"], f"device {self.names.get(mac, mac)}, channel {entry.get('channel')}")
            lane.row("state").enter(t, "up", AP_COLORS["up"])
            lane.row("state").marks.append(Mark(t, "ap_started", entry.get("address", ""), "our AP started"))
        elif event == "ap_stopped":
            row = self._ap(entry["ssid"]).row("state")
            row.leave(t)
            row.marks.append(Mark(t, "ap_stopped", "stopped", "the device's AP stopped"))
        elif event == "espnow_flood":
            self._device(entry["dst"]).row("espnow").marks.append(
                Mark(t, "espnow_flood", f"flood x{entry['count']}", f"{entry['count']} frames flooded", "#c62828"))

    def _espnow(self, t: int, entry: dict[str, Any]) -> None:
        src, dst = entry["src"], entry["dst"]
        acked = bool(entry.get("acked"))
        color = "#2e7d32" if acked else "#c62828"
        result = "acked" if acked else "not acked"
        detail = f"{entry.get('length')} bytes{' encrypted' if entry.get('encrypted') else ''}, {result}"
        to = self._destination(dst)
        self._device(src).row(f"espnow to {to}").marks.append(
            Mark(t, "espnow_sent", "", f"sent to {to}: {detail}", color))
        if acked and dst in self.devices:
            self._device(dst).row(f"espnow from {self._peer(src)}").marks.append(
                Mark(t, "espnow_received", "", f"from {self._peer(src)}: {detail}", "#1565c0"))

    def _destination(self, mac: str) -> str:
        if mac == "ff:ff:ff:ff:ff:ff":
            return "broadcast"
        # The multicast bit makes the address a group: the air delivers to every listener.
        return f"group {self._peer(mac)}" if int(mac[:2], 16) & 1 else self._peer(mac)

    def _peer(self, mac: str) -> str:
        name = self.names.get(mac)
        return f"{name} {mac}" if name and name != mac else mac


def build(history: Iterable[dict[str, Any]], scenario: Scenario, output: Iterable[tuple[int, str, str]] = (),
          end_ms: int | None = None) -> Timeline:
    """The timeline of a run: the air's history entries, the scenario (its
    APs and scripted faults), and `output`: (t_ms, device name, line) of what
    the devices printed."""
    entries = sorted(history, key=lambda e: int(e["t_ms"]))
    builder = _Builder(scenario)
    log: list[tuple[int, str, str]] = []
    for entry in entries:
        builder.apply(entry)
        facts = " ".join(f"{k}={v}" for k, v in entry.items() if k not in ("t_ms", "event"))
        log.append((int(entry["t_ms"]), "air", f"{entry['event']} {facts}".rstrip()))
    for t, name, line in output:
        builder.named(name).row("output").marks.append(Mark(t, "output", "", line, "#555"))
        log.append((t, name, line))
    log.sort(key=lambda item: item[0])
    faults = [Fault(event.at_ms, event.action, dict(event.args)) for event in scenario.events]
    last = max([0] + [t for t, _, _ in log] + [fault.t_ms for fault in faults])
    return Timeline(builder.order, faults, max(end_ms or 0, last, 1), log)


# ---- drawing ------------------------------------------------------------------

_STYLE = """
svg { font-family: DejaVu Sans, Verdana, sans-serif; font-size: 11px; }
.lane-title { font-weight: bold; font-size: 12px; }
.row-name { fill: #444; }
.axis line, .grid { stroke: #ddd; }
.fault line { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 5 3; }
.fault text { fill: #c62828; font-weight: bold; }
.mark text { fill: #222; }
.legend text { fill: #444; }
"""


def _nice_step(span_ms: int) -> int:
    for step in (50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000):
        if span_ms / step <= 12:
            return step
    return 600000


def _attrs(**values: object) -> str:
    return " ".join(f"{name.replace('_', '-')}={quoteattr(str(value))}" for name, value in values.items())


def render_svg(timeline: Timeline, title: str = "netman run") -> str:
    x0 = LABEL_W
    scale = PLOT_W / timeline.end_ms

    def x(t_ms: int) -> float:
        return round(x0 + t_ms * scale, 1)

    body: list[str] = []
    y = TOP
    for lane in timeline.lanes:
        body.append(f'<g class="lane" {_attrs(data_lane=lane.title, data_kind=lane.kind)}>')
        body.append(f'<text class="lane-title" x="6" y="{y + 13}">{escape(lane.title)}</text>')
        y += ROW_H
        for row in lane.rows.values():
            mid = y + ROW_H / 2
            body.append(f'<g class="row" {_attrs(data_row=row.name)}>')
            body.append(f'<text class="row-name" x="18" y="{mid + 4}">{escape(row.name)}</text>')
            body.append(f'<line class="grid" x1="{x0}" x2="{x0 + PLOT_W}" y1="{mid}" y2="{mid}"/>')
            for seg in row.segments:
                end = timeline.end_ms if seg.end_ms is None else seg.end_ms
                width = max(1.0, x(end) - x(seg.start_ms))
                body.append(f'<rect class="segment" {_attrs(data_state=seg.state, data_start=seg.start_ms, data_end=end)}'
                            f' x="{x(seg.start_ms)}" y="{y + 3}" width="{width:.1f}" height="{ROW_H - 6}"'
                            f' fill="{seg.color}"><title>{escape(seg.state)} {seg.start_ms}–{end} ms</title></rect>')
            label_end = 0.0  # where the last label drawn in this row ends: labels do not overlap
            for mark in row.marks:
                px = x(mark.t_ms)
                body.append(f'<g class="mark" {_attrs(data_kind=mark.kind, data_t=mark.t_ms, data_label=mark.label)}>'
                            f'<title>{mark.t_ms} ms: {escape(mark.detail)}</title>'
                            f'<line x1="{px}" x2="{px}" y1="{y + 1}" y2="{y + ROW_H - 1}" stroke="{mark.color}"'
                            f' stroke-width="2"/>')
                if mark.label and px + 3 >= label_end:
                    body.append(f'<text x="{px + 3}" y="{y + ROW_H - 5}">{escape(mark.label)}</text>')
                    label_end = px + 3 + CHAR_W * len(mark.label) + 4
                body.append("</g>")
            body.append("</g>")
            y += ROW_H
        body.append("</g>")
        y += LANE_GAP
    height = y + 40

    axis = ['<g class="axis">']
    step = _nice_step(timeline.end_ms)
    for t in range(0, timeline.end_ms + 1, step):
        axis.append(f'<line x1="{x(t)}" x2="{x(t)}" y1="{TOP - 6}" y2="{y}"/>'
                    f'<text x="{x(t)}" y="{TOP - 10}" text-anchor="middle">{t / 1000:g} s</text>')
    axis.append("</g>")

    faults = []
    for fault in timeline.faults:
        about = " ".join(f"{k}={v}" for k, v in fault.args.items())
        faults.append(f'<g class="fault" {_attrs(data_action=fault.action, data_t=fault.t_ms)}>'
                      f'<title>scripted at {fault.t_ms} ms: {escape(fault.action)} {escape(about)}</title>'
                      f'<line x1="{x(fault.t_ms)}" x2="{x(fault.t_ms)}" y1="{TOP - 24}" y2="{y}"/>'
                      f'<text x="{x(fault.t_ms) + 3}" y="{TOP - 26}">{escape(fault.action)}</text></g>')

    legend = ['<g class="legend">']
    lx = 6
    for state, color in [*STATUS_COLORS.items(), ("AP up", AP_COLORS["up"]), ("AP down", AP_COLORS["down"]),
                         ("scan", SCAN_COLOR)]:
        legend.append(f'<rect x="{lx}" y="{height - 26}" width="12" height="10" fill="{color}"/>'
                      f'<text x="{lx + 16}" y="{height - 17}">{escape(state)}</text>')
        lx += 24 + 7 * len(state)
    legend.append(f'<line x1="{lx}" x2="{lx}" y1="{height - 28}" y2="{height - 14}" stroke="#c62828"'
                  f' stroke-dasharray="5 3"/><text x="{lx + 6}" y="{height - 17}">scripted fault</text></g>')

    width = x0 + PLOT_W + RIGHT_W
    return "\n".join([
        f'<svg xmlns="{SVG_NAMESPACE}" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' {_attrs(data_end_ms=timeline.end_ms)}>',
        f"<style>{_STYLE}</style>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text class="lane-title" x="6" y="16">{escape(title)}</text>',
        *axis, *body, *faults, *legend,
        "</svg>",
    ]) + "\n"


def render_html(timeline: Timeline, title: str = "netman run") -> str:
    rows = "\n".join(f"<tr><td>{t}</td><td>{escape(source)}</td><td>{escape(text)}</td></tr>"
                     for t, source, text in timeline.log)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            "<style>body{font-family:DejaVu Sans,Verdana,sans-serif;margin:1em}"
            "table{border-collapse:collapse;font-size:12px}td{padding:1px 8px;border-bottom:1px solid #eee}"
            "td:first-child{text-align:right}</style></head><body>\n"
            f"<h1>{escape(title)}</h1>\n{render_svg(timeline, title)}"
            "<h2>Everything that happened</h2>\n<table><tr><th>ms</th><th>source</th><th>event</th></tr>\n"
            f"{rows}\n</table></body></html>\n")
