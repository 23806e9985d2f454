"""Scenario files (TOML): the access points, DHCP, timings and scripted faults
of one simulated air. Every value is checked when the file is loaded."""

from __future__ import annotations

import hashlib
import ipaddress
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import protocol
from .protocol import AUTHMODES, parse_mac


class ScenarioError(ValueError):
    pass


def _type_name(hint: Any) -> str:
    if isinstance(hint, types.UnionType):
        return " or ".join("None" if h is type(None) else _type_name(h) for h in typing.get_args(hint))
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(hint, str(hint))


def _is_a(value: Any, hint: Any) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_is_a(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint in (str, bytes):
        return isinstance(value, hint)
    return True  # containers and the like: checked where they are used


def check_types(where: str, values: dict[str, Any], hints: dict[str, Any]) -> None:
    """Refuse a value of the wrong type (JSON and TOML give any): 1.5 for a
    channel, "no" for a flag, 5 for an SSID."""
    for name, value in values.items():
        hint = hints.get(name)
        if hint is not None and not _is_a(value, hint):
            raise ScenarioError(f"{where}: {name} must be {_type_name(hint)}, not {value!r}")


def _check_fields(obj: Any, where: str) -> None:
    hints = typing.get_type_hints(type(obj))
    check_types(where, {f.name: getattr(obj, f.name) for f in fields(obj)}, hints)


EAP_METHODS = tuple(protocol.EAP_METHODS.values())  # the names of netman_eap_method_t


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text.lower())


def air_text(raw: bytes) -> str:
    """Bytes from the air (an SSID, a PSK) as text that turns back into the
    same bytes with air_bytes(): an SSID is 1 to 32 bytes, not always UTF-8."""
    return raw.decode("utf-8", "surrogateescape")


def air_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@dataclass
class AccessPoint:
    ssid: str
    psk: str | None = None
    bssid: bytes = b""
    channel: int = 1
    rssi: int = -50
    authmode: str = ""
    hidden: bool = False
    up: bool = True
    beacon_interval: int = 100  # time units (1.024 ms), as 802.11 counts them
    # WPA2-Enterprise: who may join ({"username", "password"} for PEAP and
    # TTLS, {"identity", "client_cert"} with a certificate's SHA-256 for TLS),
    # by which methods, and the SHA-256 of the CA its server's certificate
    # chains to ("": a device checking the server is satisfied by any).
    accounts: list[Any] = field(default_factory=list)
    eap_methods: list[Any] = field(default_factory=lambda: list(EAP_METHODS))
    ca_cert: str = ""

    def __post_init__(self) -> None:
        where = f"ap {self.ssid!r}"
        _check_fields(self, where)
        if not 1 <= len(air_bytes(self.ssid)) <= 32:
            raise ScenarioError(f"{where}: ssid must be 1 to 32 bytes")
        if self.psk is not None and not (8 <= len(self.psk) <= 63 or len(self.psk) == 64):
            raise ScenarioError(f"{where}: psk must be 8 to 64 characters")
        if not 1 <= self.channel <= 14:
            raise ScenarioError(f"{where}: channel must be 1 to 14, got {self.channel}")
        if not -120 <= self.rssi <= 0:
            raise ScenarioError(f"{where}: rssi must be -120 to 0 dBm, got {self.rssi}")
        if not 10 <= self.beacon_interval <= 10000:
            raise ScenarioError(f"{where}: beacon_interval must be 10 to 10000 TU, got {self.beacon_interval}")
        if not self.authmode:
            self.authmode = "wpa2_psk" if self.psk else "open"
        if self.authmode not in AUTHMODES:
            raise ScenarioError(f"{where}: authmode must be one of {', '.join(AUTHMODES)}")
        if (self.authmode in ("open", "wpa2_enterprise")) != (self.psk is None):
            raise ScenarioError(f"{where}: an open or wpa2_enterprise AP has no psk and a secured one needs one")
        self._check_enterprise(where)
        if not self.bssid:
            # Stable, locally administered, derived from the SSID.
            self.bssid = b"\x02" + hashlib.sha256(air_bytes(self.ssid)).digest()[:5]

    def _check_enterprise(self, where: str) -> None:
        if not isinstance(self.eap_methods, list) or not set(self.eap_methods) <= set(EAP_METHODS):
            raise ScenarioError(f"{where}: eap_methods must be a list of {', '.join(EAP_METHODS)}")
        for account in self.accounts:
            if not isinstance(account, dict) or not (set(account) in ({"username", "password"},
                                                                     {"identity", "client_cert"})
                                                    and all(isinstance(v, str) and v for v in account.values())):
                raise ScenarioError(f"{where}: an account is {{username, password}} or {{identity, client_cert}}")
            if "client_cert" in account and not _is_sha256(account["client_cert"]):
                raise ScenarioError(f"{where}: an account's client_cert is a SHA-256 in hex")
        if self.ca_cert and not _is_sha256(self.ca_cert):
            raise ScenarioError(f"{where}: ca_cert is a SHA-256 in hex")

    def ssid_bytes(self) -> bytes:
        return air_bytes(self.ssid)

    def describe(self) -> dict[str, Any]:
        """Public facts about the AP (no psk)."""
        return {
            "ssid": self.ssid,
            "bssid": ":".join(f"{b:02x}" for b in self.bssid),
            "channel": self.channel,
            "rssi": self.rssi,
            "authmode": self.authmode,
            "hidden": self.hidden,
            "up": self.up,
            "beacon_interval": self.beacon_interval,
            # No accounts: they hold passwords.
            "eap_methods": self.eap_methods,
            "ca_cert": self.ca_cert,
        }


@dataclass
class Dhcp:
    network: str = "127.77.0.0/24"
    gateway: str = ""
    fail: bool = False
    softap_octet: int = 100     # device APs get 127.<this>.N.0/24

    def __post_init__(self) -> None:
        _check_fields(self, "dhcp")
        if not 1 <= self.softap_octet <= 254:
            raise ScenarioError("dhcp: softap_octet must be 1 to 254")
        try:
            net = ipaddress.IPv4Network(self.network)
        except ValueError as error:
            raise ScenarioError(f"dhcp: network {self.network!r}: {error}") from None
        if not net.subnet_of(ipaddress.IPv4Network("127.0.0.0/8")) or net.num_addresses < 8:
            raise ScenarioError("dhcp: network must be inside 127.0.0.0/8 (loopback) with room for leases")
        if not self.gateway:
            self.gateway = str(net.network_address + 1)
        elif ipaddress.IPv4Address(self.gateway) not in net:
            raise ScenarioError(f"dhcp: gateway {self.gateway} is outside {self.network}")


@dataclass
class Timings:
    """Simulated delays, in milliseconds."""
    connect_ms: int = 30        # association
    dhcp_ms: int = 30           # address after association
    no_ap_ms: int = 300         # a join to an SSID nobody serves fails after this
    auth_fail_ms: int = 100     # a wrong PSK is refused after this
    beacon_timeout_ms: int = 100  # a vanished AP is noticed after this
    disconnect_ms: int = 20     # leaving the AP on request
    scan_empty_channel_ms: int = 20  # an active scan leaves a silent channel after this
    scan_beacon_loss_ms: int = 1000  # away from the home channel this long: beacons missed

    def __post_init__(self) -> None:
        _check_fields(self, "air")
        for name, value in vars(self).items():
            if not 0 <= value <= 60000:
                raise ScenarioError(f"air: {name} must be 0 to 60000 ms")


@dataclass
class EspNow:
    """The ESP-NOW medium: the channel of devices that are on no AP's
    channel, the RSSI receivers see, and the share of frames lost."""
    channel: int = 1
    rssi: int = -50
    loss: float = 0.0

    def __post_init__(self) -> None:
        _check_fields(self, "espnow")
        if not 1 <= self.channel <= 13:
            raise ScenarioError("espnow: channel must be 1 to 13")
        if not -120 <= self.rssi <= 0:
            raise ScenarioError("espnow: rssi must be -120 to 0 dBm")
        if not 0.0 <= self.loss <= 1.0:
            raise ScenarioError("espnow: loss must be 0.0 to 1.0")


@dataclass
class ScriptedEvent:
    at_ms: int
    action: str
    args: dict[str, Any]


@dataclass
class Scenario:
    aps: list[AccessPoint] = field(default_factory=list)
    dhcp: Dhcp = field(default_factory=Dhcp)
    timings: Timings = field(default_factory=Timings)
    espnow: EspNow = field(default_factory=EspNow)
    events: list[ScriptedEvent] = field(default_factory=list)
    forwards: list[Any] = field(default_factory=list)   # uplink.Forward


def _table(data: dict[str, Any], key: str, cls: type, convert: dict[str, Any] | None = None) -> Any:
    fields_ = {f for f in cls.__dataclass_fields__}  # type: ignore[attr-defined]
    unknown = set(data) - fields_
    if unknown:
        raise ScenarioError(f"{key}: unknown key(s) {', '.join(sorted(unknown))}; valid: {', '.join(sorted(fields_))}")
    values = dict(data)
    for name, conv in (convert or {}).items():
        if name in values:
            try:
                values[name] = conv(values[name])
            except (TypeError, ValueError) as error:
                raise ScenarioError(f"{key}: {name}: {error}") from None
    try:
        return cls(**values)
    except TypeError as error:
        raise ScenarioError(f"{key}: {error}") from None


def ap_from_dict(data: dict[str, Any]) -> AccessPoint:
    """An AP from a table; `ssid_hex` gives an SSID's bytes (any, UTF-8 or not)."""
    data = dict(data)
    if "ssid_hex" in data:
        if "ssid" in data:
            raise ScenarioError("ap: give ssid or ssid_hex, not both")
        try:
            data["ssid"] = air_text(bytes.fromhex(data.pop("ssid_hex")))
        except (TypeError, ValueError) as error:
            raise ScenarioError(f"ap: ssid_hex: {error}") from None
    ap: AccessPoint = _table(data, "ap", AccessPoint, {"bssid": parse_mac})
    return ap


def load(source: str | Path | None) -> Scenario:
    """A Scenario from a TOML file path (None: an empty air)."""
    if source is None:
        return Scenario()
    try:
        data = tomllib.loads(Path(source).read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{source}: {error}") from None
    return parse(data)


def parse(data: dict[str, Any]) -> Scenario:
    unknown = set(data) - {"ap", "dhcp", "air", "espnow", "event", "forward"}
    if unknown:
        raise ScenarioError(f"unknown table(s) {', '.join(sorted(unknown))}; valid: ap, dhcp, air, espnow, event, "
                            "forward")
    scenario = Scenario(
        aps=[ap_from_dict(ap) for ap in data.get("ap", [])],
        dhcp=_table(data.get("dhcp", {}), "dhcp", Dhcp),
        timings=_table(data.get("air", {}), "air", Timings),
        espnow=_table(data.get("espnow", {}), "espnow", EspNow),
    )
    from .uplink import Forward

    scenario.forwards = [_table(f, "forward", Forward) for f in data.get("forward", [])]
    for forward in scenario.forwards:
        if forward.ap not in {ap.ssid for ap in scenario.aps}:
            raise ScenarioError(f"forward: no [[ap]] with ssid {forward.ap!r}")
    bssids = [ap.bssid for ap in scenario.aps]
    if len(set(bssids)) != len(bssids):
        raise ScenarioError("ap: two access points share a BSSID (APs serving one SSID need a bssid each)")
    for event in data.get("event", []):
        event = dict(event)
        at_ms = event.pop("at_ms", None)
        action = event.pop("action", None)
        if not isinstance(at_ms, int) or at_ms < 0:
            raise ScenarioError(f"event: at_ms must be a non-negative integer, got {at_ms!r}")
        if not isinstance(action, str):
            raise ScenarioError("event: action is required")
        scenario.events.append(ScriptedEvent(at_ms, action, event))
    scenario.events.sort(key=lambda e: e.at_ms)
    return scenario


def many_aps_toml(count: int) -> str:
    """A scenario with `count` open APs spread over channels 1-13, with
    distinct BSSIDs and a spread of signal strengths (crowded-air tests)."""
    return "".join(f'[[ap]]\nssid = "ap-{i:03d}"\nchannel = {1 + i % 13}\nrssi = {-30 - (i * 7) % 61}\n'
                   f'bssid = "02:00:00:00:{i >> 8:02x}:{i & 255:02x}"\n' for i in range(count))
