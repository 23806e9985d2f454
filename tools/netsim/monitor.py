"""The air as sniffing devices hear it: every AP beacons at its interval, and
what the air simulates -- scans, joins and leaves, DHCP, power save, ESP-NOW,
raw frames -- goes out as the 802.11 frames a radio would send (frames.py),
to each device in promiscuous mode on that channel (SNIFF / SNIFF_RX)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from . import frames as f
from . import protocol as p

if TYPE_CHECKING:
    from .air import Air, Device
    from .scenario import AccessPoint

# 802.11 reason codes (9.4.1.7): unspecified, the station is leaving, and
# the 4-way handshake timed out (a wrong PSK).
REASON_UNSPECIFIED, REASON_LEAVING, REASON_HANDSHAKE_TIMEOUT = 1, 3, 15
TU_S = 1024e-6  # a time unit


@dataclass
class Sniff:
    types: int                  # frame type bits (frames.MGMT is bit 0, ...)
    channels: tuple[int, ...]   # empty: the radio's channel
    dwell_ms: int
    since: float                # when the hopping began (monotonic)

    def channel_now(self) -> int | None:
        if not self.channels:
            return None
        step = int((time.monotonic() - self.since) * 1000 // self.dwell_ms) if len(self.channels) > 1 else 0
        return self.channels[step % len(self.channels)]


class Monitor:
    def __init__(self, air: Air, heard: Callable[[int, Device], int], station_rssi: int) -> None:
        self.air = air
        self.heard = heard
        self.station_rssi = station_rssi
        self.sniffing: dict[bytes, Sniff] = {}   # by device MAC
        self.sequence: dict[bytes, int] = {}     # by transmitter address
        self.beacons: asyncio.Task[None] | None = None
        self.started = time.monotonic()

    # ---- who listens -------------------------------------------------------

    def sniff(self, device: Device, types: int, channels: tuple[int, ...], dwell_ms: int) -> None:
        if not types:
            self.sniffing.pop(device.mac, None)
            return
        self.sniffing[device.mac] = Sniff(types, channels, dwell_ms, time.monotonic())
        if self.beacons is None or self.beacons.done():
            self.beacons = asyncio.get_running_loop().create_task(self._beacon())

    def tuned(self, device: Device) -> int | None:
        """The channel a sniffing device tuned its radio to (None: not tuned)."""
        sniff = self.sniffing.get(device.mac)
        return sniff.channel_now() if sniff is not None else None

    def forget(self, device: Device) -> None:
        self.sniffing.pop(device.mac, None)

    def _seq(self, transmitter: bytes) -> int:
        self.sequence[transmitter] = (self.sequence.get(transmitter, -1) + 1) & 0xFFF
        return self.sequence[transmitter]

    def emit(self, channel: int, frame: bytes, rssi: int, sender: Device | None = None) -> None:
        """Put a frame on the air: every device sniffing this channel for
        frames of its type hears it (a radio does not hear itself)."""
        if not self.sniffing:
            return
        wanted = 1 << f.kind(frame)[0]
        message = p.Writer(p.SNIFF_RX).u8(channel).i8(rssi).u16(len(frame)).raw(frame).frame()
        for mac, sniff in list(self.sniffing.items()):
            device = self.air.devices.get(mac)
            if device is None or device is sender or not sniff.types & wanted:
                continue
            if self.air._channel_of(device) == channel:
                self.air.send(device, message)

    # ---- what APs send by themselves ---------------------------------------

    def _tsf_us(self) -> int:
        return int((time.monotonic() - self.started) * 1e6)

    async def _beacon(self) -> None:
        """Each AP beacons every beacon_interval TU while anyone sniffs."""
        due: dict[bytes, float] = {}
        while self.sniffing:
            now = time.monotonic()
            for ap in list(self.air.aps.values()):
                if not ap.up:
                    continue
                when = due.setdefault(ap.bssid, now)
                if when <= now:
                    due[ap.bssid] = when + ap.beacon_interval * TU_S
                    self.emit(ap.channel, f.beacon(ap.bssid, ap.ssid_bytes(), ap.channel, ap.authmode,
                                                   ap.beacon_interval, self._tsf_us(), self._seq(ap.bssid),
                                                   ap.hidden), ap.rssi)
            soonest = min(due.values(), default=now + 0.1)
            await asyncio.sleep(max(0.001, min(0.1, soonest - time.monotonic())))

    # ---- what the air's simulation sends -------------------------------------

    def probe(self, device: Device, channel: int, ssid: bytes, aps: Iterable[AccessPoint]) -> None:
        """An active scan's visit: the device's probe request, the APs' answers."""
        self.emit(channel, f.probe_request(device.mac, ssid, self._seq(device.mac)), self._rssi(device), device)
        for ap in aps:
            if ap.hidden and ssid != ap.ssid_bytes():
                continue  # a hidden AP answers only a probe that names it
            self.emit(channel, f.probe_response(ap.bssid, device.mac, ap.ssid_bytes(), ap.channel, ap.authmode,
                                                ap.beacon_interval, self._tsf_us(), self._seq(ap.bssid)), ap.rssi)

    def associate(self, device: Device, ap: AccessPoint, accepted: bool, identity: bytes | None = None) -> None:
        """Open System authentication and association, then for 802.1X the
        EAP identity exchange (the outer identity in the clear) and the
        server's verdict; refused credentials end in the AP's
        deauthentication after the handshake times out."""
        station = self._rssi(device)
        self.emit(ap.channel, f.authentication(device.mac, ap.bssid, ap.bssid, 1, self._seq(device.mac)), station,
                  device)
        self.emit(ap.channel, f.authentication(ap.bssid, device.mac, ap.bssid, 2, self._seq(ap.bssid)), ap.rssi)
        self.emit(ap.channel, f.association_request(device.mac, ap.bssid, ap.ssid_bytes(), ap.authmode,
                                                    self._seq(device.mac)), station, device)
        aid = 1 + len(self.air._stations(ap))
        self.emit(ap.channel, f.association_response(ap.bssid, device.mac, aid, ap.authmode, self._seq(ap.bssid)),
                  ap.rssi)
        if identity is not None:
            self.emit(ap.channel, f.data_from_ap(ap.bssid, device.mac, ap.bssid, f.eap_request_identity(),
                                                 self._seq(ap.bssid), False), ap.rssi)
            self.emit(ap.channel, f.data_to_ap(device.mac, ap.bssid, ap.bssid, f.eap_response_identity(identity),
                                               self._seq(device.mac), False), station, device)
            self.emit(ap.channel, f.data_from_ap(ap.bssid, device.mac, ap.bssid, f.eap_verdict(accepted),
                                                 self._seq(ap.bssid), False), ap.rssi)
        if not accepted:
            self.leave(device, ap, by_ap=True, reason=REASON_HANDSHAKE_TIMEOUT)

    def leave(self, device: Device, ap: AccessPoint, by_ap: bool, reason: int = 0) -> None:
        if by_ap:
            frame = f.deauthentication(ap.bssid, device.mac, ap.bssid, reason or REASON_UNSPECIFIED,
                                       self._seq(ap.bssid))
            self.emit(ap.channel, frame, ap.rssi)
        else:
            frame = f.deauthentication(device.mac, ap.bssid, ap.bssid, reason or REASON_LEAVING,
                                       self._seq(device.mac))
            self.emit(ap.channel, frame, self._rssi(device), device)

    def dhcp(self, device: Device, ap: AccessPoint, address: str, server: str) -> None:
        """DISCOVER, OFFER, REQUEST, ACK: data frames (opaque on a secured network)."""
        protected = ap.authmode != "open"
        nobody, everybody = bytes(4), b"\xff" * 4
        leased, gateway = bytes(int(x) for x in address.split(".")), bytes(int(x) for x in server.split("."))
        station = self._rssi(device)
        for from_station, payload in ((True, 300), (False, 300), (True, 300), (False, 300)):
            if from_station:
                body = f.udp_over_ip(nobody, everybody, 68, 67, payload)
                self.emit(ap.channel, f.data_to_ap(device.mac, ap.bssid, f.BROADCAST, body, self._seq(device.mac),
                                                   protected), station, device)
            else:
                body = f.udp_over_ip(gateway, leased, 67, 68, payload)
                self.emit(ap.channel, f.data_from_ap(ap.bssid, device.mac, ap.bssid, body, self._seq(ap.bssid),
                                                     protected), ap.rssi)

    def power_save(self, device: Device, ap: AccessPoint, dozing: bool) -> None:
        self.emit(ap.channel, f.null_data(device.mac, ap.bssid, dozing, self._seq(device.mac)), self._rssi(device),
                  device)

    def espnow(self, device: Device, channel: int, dst: bytes, data: bytes, encrypted: bool, rssi: int) -> None:
        self.emit(channel, f.espnow(device.mac, dst, data, encrypted, self._seq(device.mac)), rssi, device)

    def raw(self, device: Device, frame: bytes) -> None:
        self.emit(self.air._channel_of(device), frame, self._rssi(device), device)

    def _rssi(self, device: Device) -> int:
        return self.heard(self.station_rssi, device)
