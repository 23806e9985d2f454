"""The air: access points, stations, DHCP and faults, driven by device frames,
scripted scenario events and control requests. Runs on one asyncio loop."""

from __future__ import annotations

import asyncio
import collections
import inspect
import ipaddress
import random
import time
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from . import frames
from . import protocol as p
from .monitor import Monitor
from .scenario import AccessPoint, Scenario, ScenarioError, ap_from_dict, air_bytes, air_text, check_types

# The history keeps the latest entries only: a long-lived air must not grow
# without bound (the control socket's `status` tells how many were dropped).
HISTORY_MAX = 20000


# A device's transmit power by default (quarter dBm): 20 dBm, ESP-IDF's.
DEFAULT_TXPOWER_QDBM = 80
POWER_SAVE = ("none", "min", "max")
PROTOCOLS = ("b", "g", "n", "lr")


@dataclass
class RadioSettings:
    """What a device set with netman.radio(); the air takes its transmit
    power and its country's channels into account."""
    txpower_qdbm: int = DEFAULT_TXPOWER_QDBM
    channels: int = 13          # the country allows channels 1..channels
    country: str = ""
    power_save: int = 1
    protocol: int = 7           # bits: b, g, n, lr
    bandwidth: int = 20

    def gain(self) -> int:
        return round((self.txpower_qdbm - DEFAULT_TXPOWER_QDBM) / 4)

    def describe(self) -> dict[str, Any]:
        return {
            "txpower": self.txpower_qdbm / 4,
            "country": self.country or None,
            "channels": self.channels,
            "power_save": POWER_SAVE[self.power_save] if self.power_save < len(POWER_SAVE) else None,
            "protocol": [name for bit, name in enumerate(PROTOCOLS) if self.protocol & (1 << bit)],
            "bandwidth": self.bandwidth,
        }


@dataclass
class Eap:
    """What a device gave for an 802.1X join (the air plays the RADIUS
    server): never recorded or printed, like a PSK."""
    method: str
    identity: bytes
    username: bytes
    password: bytes
    ca_sha256: bytes | None         # of the CA it checks the server against
    cert_sha256: bytes | None       # of its client certificate (TLS)
    has_key: bool


@dataclass
class Device:
    mac: bytes
    name: str
    writer: asyncio.StreamWriter
    state: str = "idle"          # idle, joining, associated, connected
    ap: AccessPoint | None = None
    hostname: str = ""
    ip: str | None = None
    join: asyncio.Task[None] | None = None
    scan: asyncio.Task[None] | None = None
    espnow: bool = False                # receiving ESP-NOW frames
    radio: RadioSettings = field(default_factory=RadioSettings)
    eap: Eap | None = None              # for its next join only

    def gain(self) -> int:
        """How much louder (dB) others hear this device than at the default power."""
        return self.radio.gain()
    channel: int | None = None          # where its radio idles (SET_CHANNEL); None: [espnow] channel

    def describe(self) -> dict[str, Any]:
        return {
            "mac": p.mac_str(self.mac),
            "name": self.name,
            "state": self.state,
            "ssid": self.ap.ssid if self.ap else None,
            "hostname": self.hostname,
            "ip": self.ip,
            "radio": self.radio.describe(),
        }


@dataclass
class LeasePool:
    network: ipaddress.IPv4Network
    gateway: str
    first_host: int = 9             # index into the network's hosts of the first lease
    leases: dict[bytes, str] = field(default_factory=dict)   # oldest first

    @property
    def netmask(self) -> str:
        return str(self.network.netmask)

    def lease(self, mac: bytes, on_air: typing.Container[bytes]) -> str | None:
        """The MAC's address (the same one again on every join). When the pool
        is used up, the oldest lease of a device no longer on the air expires
        and is given out again, as a DHCP server's leases run out."""
        if mac in self.leases:
            return self.leases[mac]
        taken = set(self.leases.values()) | {self.gateway}
        for host in list(self.network.hosts())[self.first_host:]:
            if str(host) not in taken:
                self.leases[mac] = str(host)
                return str(host)
        gone = next((m for m in self.leases if m not in on_air), None)
        if gone is None:
            return None
        self.leases[mac] = self.leases.pop(gone)
        return self.leases[mac]


@dataclass
class SoftAp:
    """An access point run by a device: its DHCP server hands out addresses
    from a loopback /24 of its own (the AP itself is .1, stations from .2)."""
    owner: Device
    ap: AccessPoint
    home_channel: int
    max_connections: int
    pool: LeasePool


# Signal strengths between devices (dBm): a device's AP as others hear it,
# and a station as the AP hears it.
SOFTAP_RSSI = -40
STATION_RSSI = -45


def heard(rssi: int, sender: Device) -> int:
    """What a receiver hears of a device that would give `rssi` at the
    default transmit power."""
    return max(-120, min(0, rssi + sender.gain()))


class Air:
    """One simulated air. Actions (the public methods listed in ACTIONS) are
    what scenario events and the control socket may invoke."""

    ACTIONS = ("add_ap", "remove_ap", "ap_down", "ap_up", "set_rssi", "beacon_loss", "sniff_flood",
               "deauth", "set_psk", "dhcp_fail", "set_espnow", "espnow_flood", "scan_stall", "refuse_joins")

    def __init__(self, scenario: Scenario, log: Callable[[str], None] = print) -> None:
        self.scenario = scenario
        self.timings = scenario.timings
        self.aps: dict[bytes, AccessPoint] = {ap.bssid: ap for ap in scenario.aps}  # by BSSID
        self.devices: dict[bytes, Device] = {}
        self.pool = LeasePool(ipaddress.IPv4Network(scenario.dhcp.network), scenario.dhcp.gateway)
        self.softaps: dict[bytes, SoftAp] = {}  # by BSSID
        self.mdns_names: dict[str, bytes] = {}  # mDNS host name in use (lower case) -> device MAC
        self.espnow = scenario.espnow
        self.random = random.Random(1)  # frame loss, the same on every run
        self._next_softap_net = 1
        self.softap_octet = scenario.dhcp.softap_octet
        self.dhcp_failing = scenario.dhcp.fail
        self.monitor = Monitor(self, heard, STATION_RSSI)
        self.scans_stall = False          # scans report what they hear but never end
        self.history: collections.deque[dict[str, Any]] = collections.deque(maxlen=HISTORY_MAX)
        self.history_dropped = 0
        self.started = time.monotonic()
        self.print = log
        self._next_mac = 1
        for event in scenario.events:
            self.check_action(event.action, event.args)

    # ---- bookkeeping -------------------------------------------------------

    def now_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    def record(self, what: str, **facts: Any) -> None:
        entry = {"t_ms": self.now_ms(), "event": what, **facts}
        if len(self.history) == HISTORY_MAX:
            self.history_dropped += 1
        self.history.append(entry)
        details = " ".join(f"{k}={v}" for k, v in facts.items())
        self.print(f"netsim: {what} {details}".rstrip())

    def check_action(self, action: str, args: dict[str, Any]) -> None:
        if action not in self.ACTIONS:
            raise ScenarioError(f"unknown action {action!r}; valid: {', '.join(self.ACTIONS)}")
        method = getattr(self, action)
        try:
            inspect.signature(method).bind(**args)
        except TypeError as error:
            raise ScenarioError(f"action {action}: {error}") from None
        check_types(f"action {action}", args, typing.get_type_hints(method))

    def act(self, action: str, args: dict[str, Any]) -> Any:
        self.check_action(action, args)
        return getattr(self, action)(**args)

    def status(self) -> dict[str, Any]:
        def describe(ap: AccessPoint) -> dict[str, Any]:
            soft = self.softaps.get(ap.bssid)
            owner = {"owner": p.mac_str(soft.owner.mac), "address": soft.pool.gateway} if soft else {}
            return {**ap.describe(), **owner}

        return {
            "aps": [describe(ap) for ap in self.aps.values()],
            "devices": [d.describe() for d in self.devices.values()],
            "dhcp_failing": self.dhcp_failing,
            "uptime_ms": self.now_ms(),  # lines up the history's t_ms with an outside clock
            "history_dropped": self.history_dropped,
        }

    def _named(self, ssid: str) -> list[AccessPoint]:
        return [ap for ap in self.aps.values() if ap.ssid == ssid]

    def _targets(self, ssid: str, bssid: str | None) -> list[AccessPoint]:
        """The APs an action means: every AP serving the SSID, or the one with that BSSID."""
        wanted = p.parse_mac(bssid) if bssid is not None else None
        aps = [ap for ap in self._named(ssid) if wanted is None or ap.bssid == wanted]
        if not aps:
            raise ScenarioError(f"no AP with ssid {ssid!r}" + (f" and bssid {bssid}" if bssid else ""))
        return aps

    def _device(self, mac: str) -> Device:
        """The device an action names by its MAC."""
        device = self.devices.get(p.parse_mac(mac))
        if device is None:
            raise ScenarioError(f"no device {mac} on the air")
        return device

    def _stations(self, ap: AccessPoint) -> list[Device]:
        return [d for d in self.devices.values() if d.ap is ap]

    # ---- sending -----------------------------------------------------------

    @staticmethod
    def send(device: Device, frame: bytes) -> None:
        if not device.writer.is_closing():
            device.writer.write(frame)

    def _drop(self, device: Device, reason: str, notify: bool = True) -> None:
        """End the device's association (or join) and tell it why."""
        if device.join is not None and device.join is not asyncio.current_task():
            device.join.cancel()
        device.join = None
        left = device.ap
        ssid = left.ssid if left else None
        device.ap, device.ip, device.state = None, None, "idle"
        if left is not None and reason in ("by_request", "ap_left"):
            self.monitor.leave(device, left, by_ap=reason == "ap_left")
        if left is not None:
            soft = self.softaps.get(left.bssid)
            if soft is not None:
                self.send(soft.owner, p.Writer(p.AP_STA_DISCONNECTED).raw(device.mac).frame())
            self._follow_channel(device, None)
        if notify:
            self.record("sta_disconnected", mac=p.mac_str(device.mac), ssid=ssid, reason=reason)
            self.send(device, p.Writer(p.STA_DISCONNECTED).u8(p.REASONS[reason]).frame())

    # ---- device requests ---------------------------------------------------

    def on_sta_connect(self, device: Device, ssid: bytes, psk: bytes, hostname: bytes,
                       static_ip: tuple[str, str, str, str] | None, bssid: bytes | None) -> None:
        self._drop(device, "by_request", notify=False)
        eap, device.eap = device.eap, None
        device.hostname = hostname.decode(errors="replace")
        device.state = "joining"
        # The PSK is never recorded or printed.
        self.record("sta_connect", mac=p.mac_str(device.mac), ssid=air_text(ssid),
                    hostname=device.hostname, static_ip=static_ip[0] if static_ip else None,
                    bssid=p.mac_str(bssid) if bssid else None)
        device.join = asyncio.get_running_loop().create_task(
            self._join(device, air_text(ssid), psk, static_ip, bssid, eap))

    def on_sta_disconnect(self, device: Device) -> None:
        self.record("sta_disconnect", mac=p.mac_str(device.mac))
        if device.join is not None:
            device.join.cancel()
        device.join = asyncio.get_running_loop().create_task(self._leave(device))

    async def _leave(self, device: Device) -> None:
        await asyncio.sleep(self.timings.disconnect_ms / 1000)
        self._drop(device, "by_request")

    def _pick(self, device: Device, ssid: str, bssid: bytes | None) -> AccessPoint | None:
        """The AP a join goes to: the one with the BSSID asked for, else the
        strongest serving the SSID (ESP-IDF's WIFI_CONNECT_AP_BY_SIGNAL), of
        those up on a channel the device's country allows."""
        heard_aps = [ap for ap in self._named(ssid) if ap.up and ap.channel <= device.radio.channels
                     and (bssid is None or ap.bssid == bssid)]
        return max(heard_aps, key=lambda ap: ap.rssi, default=None)

    @staticmethod
    def _refused(ap: AccessPoint, psk: bytes, eap: Eap | None) -> str:
        """Why the AP (and, for 802.1X, its RADIUS server) refuses these
        credentials; "" when it takes them."""
        if ap.authmode != "wpa2_enterprise":
            if eap is not None:
                return "the AP does not run 802.1X"
            return "wrong PSK" if ap.psk is not None and psk != air_bytes(ap.psk) else ""
        if eap is None:
            return "no 802.1X credentials"
        if eap.method not in ap.eap_methods:
            return f"method {eap.method} not offered"
        if ap.ca_cert and eap.ca_sha256 is not None and eap.ca_sha256.hex() != ap.ca_cert.lower():
            return "the server's certificate is not from the device's CA"
        for account in ap.accounts:
            if eap.method == "tls" and "client_cert" in account:
                if (eap.has_key and eap.cert_sha256 is not None
                        and account["client_cert"].lower() == eap.cert_sha256.hex()
                        and air_bytes(account["identity"]) == eap.identity):
                    return ""
            elif eap.method != "tls" and "username" in account:
                if air_bytes(account["username"]) == eap.username and air_bytes(account["password"]) == eap.password:
                    return ""
        return "no such account, or a wrong password or certificate"

    async def _join(self, device: Device, ssid: str, psk: bytes, static_ip: tuple[str, str, str, str] | None,
                    bssid: bytes | None = None, eap: Eap | None = None) -> None:
        t = self.timings
        ap = self._pick(device, ssid, bssid)
        if ap is None:
            await asyncio.sleep(t.no_ap_ms / 1000)
            self._drop(device, "no_ap_found")
            return
        refused = self._refused(ap, psk, eap)
        # An 802.1X AP asks who it is: the outer identity goes in the clear.
        identity = eap.identity if eap is not None and ap.authmode == "wpa2_enterprise" else None
        if refused:
            await asyncio.sleep(t.auth_fail_ms / 1000)
            self.monitor.associate(device, ap, accepted=False, identity=identity)
            self.record("auth_refused", mac=p.mac_str(device.mac), ssid=ap.ssid, why=refused)
            self._drop(device, "auth_failed")
            return
        await asyncio.sleep(t.connect_ms / 1000)
        soft = self.softaps.get(ap.bssid)
        if soft is not None and soft.owner is device:
            self._drop(device, "assoc_failed")  # a device cannot join its own AP
            return
        if soft is not None and len(self._stations(ap)) >= soft.max_connections:
            self.record("ap_full", mac=p.mac_str(device.mac), ssid=ap.ssid)
            self._drop(device, "assoc_failed")
            return
        device.ap, device.state = ap, "associated"
        self.monitor.associate(device, ap, accepted=True, identity=identity)
        self.record("sta_associated", mac=p.mac_str(device.mac), ssid=ap.ssid, bssid=p.mac_str(ap.bssid))
        self.send(device, p.Writer(p.STA_CONNECTED).raw(ap.bssid).u8(ap.channel)
                  .u8(p.AUTHMODES.index(ap.authmode)).i8(ap.rssi).string(air_bytes(ap.ssid)).frame())
        if soft is not None:
            self.send(soft.owner, p.Writer(p.AP_STA_CONNECTED).raw(device.mac)
                      .i8(heard(STATION_RSSI, device)).frame())
        self._follow_channel(device, ap.channel)
        pool = soft.pool if soft is not None else self.pool
        if static_ip is not None:
            # The device configured its own address: no DHCP exchange.
            address, netmask, gateway, dns = static_ip
            self.record("static_ip", mac=p.mac_str(device.mac), ip=address)
        else:
            await asyncio.sleep(t.dhcp_ms / 1000)
            leased = None if self.dhcp_failing else pool.lease(device.mac, self.devices)
            if leased is None:
                self.record("dhcp_no_offer", mac=p.mac_str(device.mac))
                device.join = None
                return
            address, netmask = leased, pool.netmask
            gateway = dns = pool.gateway
            self.record("dhcp_lease", mac=p.mac_str(device.mac), hostname=device.hostname, ip=address,
                        ssid=ap.ssid)
            self.monitor.dhcp(device, ap, address, pool.gateway)
            if soft is not None:
                self.send(soft.owner, p.Writer(p.AP_STA_IP_ASSIGNED).raw(device.mac).ipv4(address).frame())
        device.ip, device.state, device.join = address, "connected", None
        if device.radio.power_save:
            self.monitor.power_save(device, ap, dozing=True)
        self.send(device, p.Writer(p.STA_GOT_IP).ipv4(address).ipv4(netmask).ipv4(gateway).ipv4(dns).frame())

    # ---- mDNS: the air plays the multicast medium -----------------------------

    def on_mdns_claim(self, device: Device, name: str, address: str) -> None:
        """Probe for `name`: taken by another device, the claimant gets the
        first free "<name>-<n>" (RFC 6762 §9). Then it announces itself."""
        self._mdns_release(device)
        suffix, granted = 0, name
        while self.mdns_names.get(granted.lower(), device.mac) != device.mac:
            suffix = 2 if suffix == 0 else suffix + 1
            granted = f"{name}-{suffix}"
        self.mdns_names[granted.lower()] = device.mac
        if suffix:
            self.record("mdns_conflict", mac=p.mac_str(device.mac), wanted=name, granted=granted)
        self.record("mdns_announce", mac=p.mac_str(device.mac), name=granted, address=address)
        self.send(device, p.Writer(p.MDNS_NAME).u16(suffix).frame())

    def _mdns_release(self, device: Device) -> None:
        for name in [n for n, mac in self.mdns_names.items() if mac == device.mac]:
            del self.mdns_names[name]

    # ---- ESP-NOW: frames between devices on one channel -----------------------

    def _channel_of(self, device: Device) -> int:
        """One radio: the channel of the AP it is on, else of its own AP, else
        the one its sniffer tuned it to, else the one it idles on."""
        if device.ap is not None:
            return device.ap.channel
        soft = self._softap_of(device)
        if soft is not None:
            return soft.ap.channel
        tuned = self.monitor.tuned(device)
        return tuned if tuned is not None else self._idle_channel(device)

    def _idle_channel(self, device: Device) -> int:
        return device.channel if device.channel is not None else self.espnow.channel

    def on_set_channel(self, device: Device, channel: int) -> None:
        """Where the radio goes while its station is not joined; its own AP,
        if it runs, moves there too unless the station holds the radio elsewhere."""
        if not 1 <= channel <= device.radio.channels:
            raise p.ProtocolError(p.ERR_BAD_FRAME, f"set_channel: channel {channel} out of range (the device's country)")
        device.channel = channel
        self.record("set_channel", mac=p.mac_str(device.mac), channel=channel)
        soft = self._softap_of(device)
        if soft is not None:
            soft.home_channel = channel
            if device.ap is None:
                self._follow_channel(device, None)
        self.send(device, p.Writer(p.RADIO_CHANNEL).u8(channel).frame())

    def on_espnow_send(self, device: Device, dst: bytes, key_id: bytes | None, data: bytes) -> None:
        channel = self._channel_of(device)
        broadcast = bool(dst[0] & 1)
        hearers = [d for d in self.devices.values() if d is not device and self._channel_of(d) == channel
                   and (broadcast or d.mac == dst)]
        # A receiver on the channel acknowledges, listening or not; a lost
        # frame is neither acknowledged nor delivered. Broadcasts are never
        # acknowledged, so they always "succeed".
        acked = broadcast
        for receiver in hearers:
            if self.random.random() < self.espnow.loss:
                continue
            acked = True
            if receiver.espnow:
                self.send(receiver, p.Writer(p.ESPNOW_RX).raw(device.mac).i8(heard(self.espnow.rssi, device))
                          .u8(key_id is not None).raw(key_id or bytes(8)).string(data).frame())
        self.monitor.espnow(device, channel, dst, data, key_id is not None, heard(self.espnow.rssi, device))
        self.record("espnow_send", src=p.mac_str(device.mac), dst=p.mac_str(dst), length=len(data),
                    encrypted=key_id is not None, acked=acked)
        self.send(device, p.Writer(p.ESPNOW_SENT).u8(acked).frame())

    def espnow_flood(self, dst: str, count: int, length: int = 32, src: str = "02:ee:ee:ee:ee:01") -> None:
        """The medium itself sends `count` frames of `length` bytes to device
        `dst` as fast as it can: frame i carries i (4 bytes, big-endian)
        repeated, so a reader can check every frame it got."""
        target = self._device(dst)
        if not 1 <= count <= 1000000 or not 4 <= length <= 250:
            raise ScenarioError("count must be 1 to 1000000 and length 4 to 250")
        sender = p.parse_mac(src)
        chunks = []
        for i in range(count):
            payload = (i.to_bytes(4, "big") * 63)[:length]
            chunks.append(p.Writer(p.ESPNOW_RX).raw(sender).i8(self.espnow.rssi).u8(0).raw(bytes(8))
                          .string(payload).frame())
        self.send(target, b"".join(chunks))
        self.record("espnow_flood", dst=dst, count=count, length=length)

    def sniff_flood(self, dst: str, count: int, length: int = 64) -> None:
        """The medium sends device `dst`'s sniffer `count` data frames of
        `length` bytes as fast as it can, on whatever channel it listens:
        frame i carries i (4 bytes, big-endian) after its 24-byte header."""
        target = self._device(dst)
        if not 1 <= count <= 1000000 or not 28 <= length <= 1500:
            raise ScenarioError("count must be 1 to 1000000 and length 28 to 1500")
        channel = self._channel_of(target)
        source = bytes.fromhex("02eeeeeeee02")
        chunks = []
        for i in range(count):
            body = (i.to_bytes(4, "big") * ((length - 24) // 4 + 1))[:length - 24]
            frame = frames.data_to_ap(source, frames.BROADCAST, frames.BROADCAST, body, i, protected=False)
            chunks.append(p.Writer(p.SNIFF_RX).u8(channel).i8(-50).u16(len(frame)).raw(frame).frame())
        self.send(target, b"".join(chunks))
        self.record("sniff_flood", dst=dst, count=count, length=length)

    def set_espnow(self, rssi: int | None = None, loss: float | None = None) -> None:
        """Change what ESP-NOW receivers hear (RSSI) and how many frames are lost."""
        if rssi is not None and not -120 <= rssi <= 0:
            raise ScenarioError("rssi must be -120 to 0 dBm")
        if loss is not None and not 0.0 <= loss <= 1.0:
            raise ScenarioError("loss must be 0.0 to 1.0")
        if rssi is not None:
            self.espnow.rssi = rssi
        if loss is not None:
            self.espnow.loss = loss
        self.record("set_espnow", rssi=self.espnow.rssi, loss=self.espnow.loss)

    # ---- radio settings ----------------------------------------------------

    def on_radio(self, device: Device, radio: RadioSettings) -> None:
        louder = radio.txpower_qdbm != device.radio.txpower_qdbm
        device.radio = radio
        self.record("radio", mac=p.mac_str(device.mac), **radio.describe())
        soft = self._softap_of(device)
        if louder and soft is not None:
            # Our AP's stations hear its beacons at the new power.
            soft.ap.rssi = heard(SOFTAP_RSSI, device)
            for station in self._stations(soft.ap):
                self.send(station, p.Writer(p.STA_RSSI).i8(soft.ap.rssi).frame())

    # ---- access points run by devices --------------------------------------

    def on_ap_start(self, device: Device, ssid_raw: bytes, psk_raw: bytes, channel: int, hidden: bool,
                    max_connections: int) -> None:
        ssid, psk = air_text(ssid_raw), air_text(psk_raw)
        if not (1 <= len(ssid_raw) <= 32 and (not psk_raw or 8 <= len(psk_raw) <= 64)
                and 1 <= channel <= device.radio.channels and 1 <= max_connections <= 10):
            raise p.ProtocolError(p.ERR_BAD_FRAME, "ap_start: ssid, psk, channel (within the device's country) "
                                  "or max_connections out of range")
        # A new configuration restarts the AP: its stations go, its address stays.
        running = self._softap_of(device)
        self._stop_softap(device)
        if self._named(ssid):
            self.record("ap_failed", mac=p.mac_str(device.mac), ssid=ssid, reason="ssid_in_use")
            self.send(device, p.Writer(p.AP_FAILED).u8(p.REASONS["ssid_in_use"]).frame())
            return
        if running is not None:
            pool = LeasePool(running.pool.network, running.pool.gateway, first_host=1)
        else:
            index = self._next_softap_net
            self._next_softap_net += 1
            network = ipaddress.IPv4Network(f"127.{self.softap_octet}.{(index - 1) % 250 + 1}.0/24")
            pool = LeasePool(network, str(network.network_address + 1), first_host=1)
        # Its own BSSID, locally administered, that no device MAC on the air uses.
        bssid = bytes([device.mac[0] ^ 0x04]) + device.mac[1:]
        # A device with one radio serves its AP on the channel its station uses.
        on_channel = device.ap.channel if device.ap is not None else channel
        ap = ap_from_dict({"ssid": ssid, "psk": psk or None, "bssid": p.mac_str(bssid), "channel": on_channel,
                           "rssi": heard(SOFTAP_RSSI, device), "authmode": "wpa_wpa2_psk" if psk else "open", "hidden": hidden})
        self.aps[ap.bssid] = ap
        self.softaps[ap.bssid] = SoftAp(device, ap, channel, max_connections, pool)
        self.record("ap_started", mac=p.mac_str(device.mac), ssid=ssid, address=pool.gateway, channel=on_channel,
                    hidden=hidden, max_connections=max_connections)
        self.send(device, p.Writer(p.AP_STARTED).ipv4(pool.gateway).ipv4(pool.netmask).u8(on_channel).frame())

    def _softap_of(self, device: Device) -> SoftAp | None:
        return next((s for s in self.softaps.values() if s.owner is device), None)

    def _stop_softap(self, device: Device) -> None:
        soft = self._softap_of(device)
        if soft is not None:
            for station in self._stations(soft.ap):
                self._drop(station, "ap_left")
            del self.aps[soft.ap.bssid]
            del self.softaps[soft.ap.bssid]
            self.record("ap_stopped", mac=p.mac_str(device.mac), ssid=soft.ap.ssid)

    def _follow_channel(self, device: Device, channel: int | None) -> None:
        """One radio: the device's AP moves to the channel its station joined,
        and back to its own channel when the station leaves."""
        soft = self._softap_of(device)
        if soft is None:
            return
        target = channel if channel is not None else soft.home_channel
        if soft.ap.channel == target:
            return
        soft.ap.channel = target
        self.record("ap_channel", ssid=soft.ap.ssid, channel=target)
        self.send(device, p.Writer(p.AP_CHANNEL).u8(target).frame())
        for station in self._stations(soft.ap):
            self.send(station, p.Writer(p.STA_CHANNEL).u8(target).frame())

    def on_scan(self, device: Device, passive: bool, show_hidden: bool, dwell_ms: int, channel: int,
                ssid: bytes) -> None:
        if not 1 <= dwell_ms <= 1500 or not 0 <= channel <= 14:
            raise p.ProtocolError(p.ERR_BAD_FRAME, f"scan: dwell {dwell_ms} ms or channel {channel} out of range")
        if device.scan is not None:
            device.scan.cancel()
        name = air_text(ssid)
        self.record("scan", mac=p.mac_str(device.mac), passive=passive, dwell_ms=dwell_ms, channel=channel,
                    ssid=name, show_hidden=show_hidden)
        device.scan = asyncio.get_running_loop().create_task(
            self._scan(device, passive, dwell_ms, channel, name))

    async def _scan(self, device: Device, passive: bool, dwell_ms: int, channel: int, ssid: str) -> None:
        """Visit each channel: a passive scan lingers the full dwell, an active
        one leaves a silent channel early. A connected station goes back to
        its home channel between channels, and a long absence costs beacons."""
        t = self.timings
        home_ms = 60 if dwell_ms > 1000 else 30
        beacons_missed = False
        # The device's country decides which channels it may visit.
        for ch in [channel] if channel else range(1, device.radio.channels + 1):
            on_channel = [ap for ap in self.aps.values() if ap.up and ap.channel == ch]
            if not passive:
                self.monitor.probe(device, ch, air_bytes(ssid), on_channel)
            stay_ms = dwell_ms if passive or on_channel else min(dwell_ms, t.scan_empty_channel_ms)
            await asyncio.sleep(stay_ms / 1000)
            for ap in on_channel:
                # A hidden AP answers only a probe that names it.
                named = not ap.hidden or (not passive and ssid == ap.ssid)
                self.send(device, p.Writer(p.SCAN_RESULT).raw(ap.bssid).u8(ap.channel)
                          .u8(p.AUTHMODES.index(ap.authmode)).i8(ap.rssi).u8(ap.hidden)
                          .string(air_bytes(ap.ssid) if named else b"").frame())
            if device.ap is not None:
                if stay_ms >= t.scan_beacon_loss_ms and not beacons_missed:
                    beacons_missed = True
                    self.record("scan_beacon_timeout", mac=p.mac_str(device.mac), ssid=device.ap.ssid)
                    self.send(device, p.Writer(p.STA_BEACON_TIMEOUT).frame())
                await asyncio.sleep(home_ms / 1000)
        if self.scans_stall:
            # The driver dropped the scan's end: the device never hears it.
            self.record("scan_stalled", mac=p.mac_str(device.mac))
            return
        device.scan = None
        self.record("scan_done", mac=p.mac_str(device.mac))
        self.send(device, p.Writer(p.SCAN_DONE).u8(0).frame())

    def on_scan_abort(self, device: Device) -> None:
        if device.scan is not None:
            device.scan.cancel()
            device.scan = None
        self.record("scan_aborted", mac=p.mac_str(device.mac))
        self.send(device, p.Writer(p.SCAN_ABORTED).frame())

    # ---- actions -----------------------------------------------------------

    def add_ap(self, ssid: str | None = None, psk: str | None = None, bssid: str | None = None, channel: int = 1,
               rssi: int = -50, authmode: str = "", hidden: bool = False, ssid_hex: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"psk": psk, "channel": channel, "rssi": rssi, "authmode": authmode, "hidden": hidden}
        for key, value in (("ssid", ssid), ("ssid_hex", ssid_hex), ("bssid", bssid)):
            if value is not None:
                data[key] = value
        if "ssid" not in data and "ssid_hex" not in data:
            raise ScenarioError("add_ap: ssid or ssid_hex is required")
        ap = ap_from_dict(data)
        if bssid is None and self._named(ap.ssid):
            raise ScenarioError(f"an AP with ssid {ap.ssid!r} exists; another one needs a bssid of its own")
        if ap.bssid in self.aps:
            raise ScenarioError(f"an AP with bssid {p.mac_str(ap.bssid)} exists")
        self.aps[ap.bssid] = ap
        self.record("ap_added", ssid=ap.ssid, bssid=p.mac_str(ap.bssid))
        return ap.describe()

    def remove_ap(self, ssid: str, bssid: str | None = None) -> None:
        self.ap_down(ssid, bssid)
        for ap in self._targets(ssid, bssid):
            del self.aps[ap.bssid]
            self.softaps.pop(ap.bssid, None)
        self.record("ap_removed", ssid=ssid, bssid=bssid)

    def ap_down(self, ssid: str, bssid: str | None = None) -> None:
        """The AP vanishes: its stations miss beacons, then lose it."""
        self.record("ap_down", ssid=ssid, bssid=bssid)
        for ap in self._targets(ssid, bssid):
            ap.up = False
            for device in self._stations(ap):
                if device.join is not None:
                    device.join.cancel()  # no DHCP offer from a vanished AP
                self.send(device, p.Writer(p.STA_BEACON_TIMEOUT).frame())
                device.join = asyncio.get_running_loop().create_task(self._lose(device))

    async def _lose(self, device: Device) -> None:
        await asyncio.sleep(self.timings.beacon_timeout_ms / 1000)
        self._drop(device, "beacon_timeout")

    def ap_up(self, ssid: str, bssid: str | None = None) -> None:
        for ap in self._targets(ssid, bssid):
            ap.up = True
        self.record("ap_up", ssid=ssid, bssid=bssid)

    def set_rssi(self, ssid: str, rssi: int, bssid: str | None = None) -> None:
        aps = self._targets(ssid, bssid)
        if not -120 <= rssi <= 0:
            raise ScenarioError("rssi must be -120 to 0 dBm")
        self.record("set_rssi", ssid=ssid, rssi=rssi, bssid=bssid)
        for ap in aps:
            ap.rssi = rssi
            for device in self._stations(ap):
                self.send(device, p.Writer(p.STA_RSSI).i8(rssi).frame())

    def beacon_loss(self, ssid: str, count: int = 1, bssid: str | None = None) -> None:
        """Stations miss beacons (`count` times in a row: a flood of events)
        but stay associated (a degraded link)."""
        aps = self._targets(ssid, bssid)
        if not 1 <= count <= 100000:
            raise ScenarioError("count must be 1 to 100000")
        self.record("beacon_loss", ssid=ssid, count=count, bssid=bssid)
        frame = p.Writer(p.STA_BEACON_TIMEOUT).frame()
        for ap in aps:
            for device in self._stations(ap):
                self.send(device, frame * count)

    def deauth(self, ssid: str, mac: str | None = None, bssid: str | None = None) -> None:
        """The AP sends its stations (or one of them) away."""
        aps = self._targets(ssid, bssid)
        wanted = p.parse_mac(mac) if mac is not None else None
        self.record("deauth", ssid=ssid, mac=mac, bssid=bssid)
        for ap in aps:
            for device in self._stations(ap):
                if wanted is None or device.mac == wanted:
                    self._drop(device, "ap_left")

    def set_psk(self, ssid: str, psk: str | None, bssid: str | None = None) -> None:
        """Change the AP's password; its stations are sent away."""
        aps = self._targets(ssid, bssid)
        self.record("set_psk", ssid=ssid, bssid=bssid)
        for ap in aps:
            updated = ap_from_dict({**ap.describe(), "psk": psk, "authmode": "", "bssid": p.mac_str(ap.bssid)})
            ap.psk, ap.authmode = updated.psk, updated.authmode
            for device in self._stations(ap):
                self._drop(device, "ap_left")

    def scan_stall(self, enabled: bool = True) -> None:
        """Scans from now on never end (a driver that drops the end of a scan)."""
        if not isinstance(enabled, bool):
            raise ScenarioError("scan_stall: enabled must be true or false")
        self.scans_stall = enabled
        self.record("scan_stall", enabled=enabled)

    def refuse_joins(self, count: int = 1, mac: str | None = None) -> None:
        """The devices' drivers (or one device's) refuse their next `count`
        join requests, as a driver busy with another join does."""
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 255:
            raise ScenarioError("refuse_joins: count must be 0 to 255")
        wanted = p.parse_mac(mac) if mac is not None else None
        self.record("refuse_joins", count=count, mac=mac)
        for device in self.devices.values():
            if wanted is None or device.mac == wanted:
                self.send(device, p.Writer(p.DRIVER_BUSY).u8(count).frame())

    def dhcp_fail(self, enabled: bool = True) -> None:
        self.dhcp_failing = bool(enabled)
        self.record("dhcp_fail", enabled=self.dhcp_failing)

    # ---- scripted events ---------------------------------------------------

    async def run_script(self) -> None:
        for event in self.scenario.events:
            delay = event.at_ms / 1000 - (time.monotonic() - self.started)
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                self.act(event.action, event.args)
            except ScenarioError as error:
                self.print(f"netsim: scripted {event.action} failed: {error}")

    # ---- device connections ------------------------------------------------

    def _assign_mac(self) -> bytes:
        """The next free MAC of 02:4e:4d:xx:xx:xx (counting on past the end of
        the range from its start: devices come and go)."""
        for _ in range(1 << 24):
            number = self._next_mac
            self._next_mac = self._next_mac % ((1 << 24) - 1) + 1
            mac = bytes([0x02, 0x4E, 0x4D]) + number.to_bytes(3, "big")
            if mac not in self.devices:
                return mac
        raise p.ProtocolError(p.ERR_MAC_IN_USE, "no free MAC left on the air")

    async def handle_device(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        device: Device | None = None
        try:
            hello = p.parse_hello(p.Reader(await self._read_frame(reader)))
            if hello.version != p.VERSION:
                raise p.ProtocolError(p.ERR_BAD_VERSION, f"protocol version {hello.version} not supported (this air speaks {p.VERSION})")
            mac = hello.mac if any(hello.mac) else self._assign_mac()
            if mac in self.devices:
                raise p.ProtocolError(p.ERR_MAC_IN_USE, f"MAC {p.mac_str(mac)} is already on the air")
            device = Device(mac, hello.name or p.mac_str(mac), writer)
            self.devices[mac] = device
            self.record("device_joined_air", mac=p.mac_str(mac), name=device.name)
            writer.write(p.Writer(p.WELCOME).u8(p.VERSION).raw(mac).frame())
            # Where its radio idles, before anything else the device hears.
            writer.write(p.Writer(p.RADIO_CHANNEL).u8(self._idle_channel(device)).frame())
            while self._on_frame(device, p.Reader(await self._read_frame(reader))):
                pass
        except (p.ProtocolError, ScenarioError) as error:
            # A request the air cannot carry out (a value out of range) is a bad frame too.
            code = error.code if isinstance(error, p.ProtocolError) else p.ERR_BAD_FRAME
            self.record("protocol_error", code=code, detail=str(error))
            writer.write(p.error_frame(code, str(error)))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if device is not None:
                if device.scan is not None:
                    device.scan.cancel()
                self._drop(device, "by_request", notify=False)
                soft = self._softap_of(device)
                if soft is not None:
                    # Its AP vanished with it: stations miss beacons, then lose it.
                    self.remove_ap(soft.ap.ssid, p.mac_str(soft.ap.bssid))
                self._mdns_release(device)
                self.monitor.forget(device)
                del self.devices[device.mac]
                self.record("device_left_air", mac=p.mac_str(device.mac))
            try:
                await writer.drain()
                writer.close()
                await writer.wait_closed()
            except ConnectionError:
                pass

    @staticmethod
    async def _read_frame(reader: asyncio.StreamReader) -> bytes:
        length = p.parse_length(await reader.readexactly(4))
        return await reader.readexactly(length)

    def _on_frame(self, device: Device, frame: p.Reader) -> bool:
        """Act on one frame; False when the device said goodbye."""
        if frame.msg_type == p.BYE:
            frame.end()
            self._stop_softap(device)
            return False
        if frame.msg_type == p.STA_CONNECT:
            ssid, psk, hostname = frame.string(), frame.string(), frame.string()
            use_static = frame.u8()
            addresses = (frame.ipv4(), frame.ipv4(), frame.ipv4(), frame.ipv4())
            match_bssid, bssid = frame.u8(), frame.raw(6)
            frame.end()
            self.on_sta_connect(device, ssid, psk, hostname, addresses if use_static else None,
                                bssid if match_bssid else None)
        elif frame.msg_type == p.STA_DISCONNECT:
            frame.end()
            self.on_sta_disconnect(device)
        elif frame.msg_type == p.AP_START:
            ssid, psk = frame.string(), frame.string()
            channel, hidden, max_connections = frame.u8(), frame.u8(), frame.u8()
            frame.end()
            self.on_ap_start(device, ssid, psk, channel, bool(hidden), max_connections)
        elif frame.msg_type == p.AP_STOP:
            frame.end()
            self._stop_softap(device)
        elif frame.msg_type == p.MDNS_CLAIM:
            name, address = frame.string().decode(errors="replace"), frame.ipv4()
            frame.end()
            if not 1 <= len(name) <= 63:
                raise p.ProtocolError(p.ERR_BAD_FRAME, "mdns: host name must be 1 to 63 bytes")
            self.on_mdns_claim(device, name, address)
        elif frame.msg_type == p.MDNS_RELEASE:
            frame.end()
            self._mdns_release(device)
        elif frame.msg_type == p.SET_CHANNEL:
            channel = frame.u8()
            frame.end()
            self.on_set_channel(device, channel)
        elif frame.msg_type == p.ESPNOW_ACTIVE:
            device.espnow = bool(frame.u8())
            frame.end()
            self.record("espnow_active", mac=p.mac_str(device.mac), active=device.espnow)
        elif frame.msg_type == p.ESPNOW_SEND:
            dst, encrypted, key_id, data = frame.raw(6), frame.u8(), frame.raw(8), frame.string()
            frame.end()
            if not 1 <= len(data) <= 250:
                raise p.ProtocolError(p.ERR_BAD_FRAME, "espnow: a frame carries 1 to 250 bytes")
            self.on_espnow_send(device, dst, key_id if encrypted else None, data)
        elif frame.msg_type == p.SNIFF:
            active, types, dwell_ms, channels = frame.u8(), frame.u8(), frame.u16(), tuple(frame.string())
            frame.end()
            if active and not (types and 10 <= dwell_ms <= 60000
                               and all(1 <= c <= device.radio.channels for c in channels)):
                raise p.ProtocolError(p.ERR_BAD_FRAME, "sniff: types, dwell or channels out of range")
            self.record("sniff", mac=p.mac_str(device.mac), active=bool(active), channels=list(channels),
                        dwell_ms=dwell_ms)
            self.monitor.sniff(device, types if active else 0, channels, dwell_ms)
        elif frame.msg_type == p.RAW_TX:
            raw = frame.raw(frame.u16())
            frame.end()
            if not 24 <= len(raw) <= 1500:
                raise p.ProtocolError(p.ERR_BAD_FRAME, "raw_tx: a frame is 24 to 1500 bytes")
            self.record("raw_tx", mac=p.mac_str(device.mac), length=len(raw), channel=self._channel_of(device))
            self.monitor.raw(device, raw)
        elif frame.msg_type == p.STA_EAP:
            method = frame.u8()
            identity, username, password = frame.string(), frame.string(), frame.string()
            has_ca, ca = frame.u8(), frame.raw(32)
            has_cert, cert = frame.u8(), frame.raw(32)
            has_key = frame.u8()
            frame.end()
            if method not in p.EAP_METHODS:
                raise p.ProtocolError(p.ERR_BAD_FRAME, f"sta_eap: no EAP method {method}")
            # Kept for the next STA_CONNECT; like a PSK, never recorded.
            device.eap = Eap(p.EAP_METHODS[method], identity, username, password, ca if has_ca else None,
                             cert if has_cert else None, bool(has_key))
        elif frame.msg_type == p.RADIO:
            txpower, channels, power_save, protocol, bandwidth = (frame.u8() for _ in range(5))
            country = frame.string().decode(errors="replace")
            frame.end()
            if not (1 <= channels <= 14 and power_save < len(POWER_SAVE) and bandwidth in (20, 40)):
                raise p.ProtocolError(p.ERR_BAD_FRAME, "radio: channels, power_save or bandwidth out of range")
            self.on_radio(device, RadioSettings(txpower, channels, country, power_save, protocol, bandwidth))
        elif frame.msg_type == p.SCAN_ABORT:
            frame.end()
            self.on_scan_abort(device)
        elif frame.msg_type == p.SCAN:
            passive, show_hidden, dwell_ms, channel = frame.u8(), frame.u8(), frame.u16(), frame.u8()
            ssid = frame.string()
            frame.u8()
            frame.raw(6)  # BSSID filter: the device applies it
            frame.end()
            self.on_scan(device, bool(passive), bool(show_hidden), dwell_ms, channel, ssid)
        else:
            raise p.ProtocolError(p.ERR_UNKNOWN_TYPE, f"unknown frame type 0x{frame.msg_type:02x}")
        return True
