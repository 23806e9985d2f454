"""netman: one start() call configures the network; callbacks report what
happens. Type stubs (the firmware runs python/netman/; these only describe it).

To extend: a new call is a `def` here with its documented types; a new
configuration key is one line in the section's TypedDict below (all are
total=False: every key is optional); a new NetError reason is one more
string in `Reason`. tests/test_stubs.py type-checks examples/ against these.
"""

from typing import Any, Callable, Literal, TypedDict, Union

from . import aio as aio
from . import aioespnow as aioespnow
from . import credentials as credentials
from . import espnow as espnow
from . import pycom as pycom
from . import sniffer as sniffer

__version__: str
MAX_SCAN_RESULTS: int

# ---- errors ------------------------------------------------------------------

Reason = Literal[
    "no_radio",
    "not_started",
    "already_started",
    "no_credentials",
    "not_connected",
    "timeout",
    "auth_failed",
    "no_ap_found",
    "busy",
    "scan_canceled",
    "scan_failed",
    "unsupported",
    "ssid_in_use",
    "storage_failed",
    "io_error",
]
"""NetError.reason: why a network call failed."""

DisconnectReason = Literal["auth_failed", "no_ap_found", "beacon_timeout", "ap_left", "by_request",
                           "assoc_failed", "no_radio"]
"""info()["disconnect_reason"] and the keys of stats()["disconnect_reasons"]."""

class NetError(OSError):
    """A network failure; .reason says which."""

    reason: Reason
    def __init__(self, reason: Reason, message: str | None = None) -> None: ...

# ---- values ------------------------------------------------------------------

Status = Literal["inactive", "disconnected", "connecting", "associated", "connected", "degraded",
                 "disconnecting"]
AuthMode = Literal["open", "wep", "wpa_psk", "wpa2_psk", "wpa_wpa2_psk", "wpa2_enterprise", "wpa3_psk",
                   "wpa2_wpa3_psk", "wapi_psk", "owe"]
Text = Union[str, bytes]
"""SSIDs, PSKs and names: str or bytes."""
IpInfo = tuple[str, str, str]
"""(address, netmask, gateway), as got_ip receives it."""
StaticIp = tuple[str, str, str, str]
"""(address, netmask, gateway, dns)."""

class ScanNetwork(TypedDict):
    ssid: str
    bssid: bytes
    rssi: int
    authmode: AuthMode
    channel: int
    hidden: bool

ScanResult = tuple[int, list[ScanNetwork]]
"""(found, networks): found counts every AP seen; networks is strongest first."""

class ApInfo(TypedDict):
    ssid: str
    bssid: bytes
    channel: int
    rssi: int
    authmode: AuthMode

class SoftApInfo(TypedDict):
    ssid: str
    status: Literal["inactive", "starting", "started", "failed"]
    reason: str | None
    channel: int
    address: str | None
    netmask: str | None
    hidden: bool
    max_connections: int
    mac: bytes
    """our AP's own MAC (its BSSID)"""

PowerSave = Literal["none", "min", "max"]
Protocol = Literal["b", "g", "n", "lr"]

class RadioSettings(TypedDict):
    txpower: float
    """dBm"""
    country: str | None
    """None until netman set one"""
    channels: int
    """the country allows channels 1..channels"""
    power_save: PowerSave
    protocol: tuple[Protocol, ...]
    bandwidth: Literal[20, 40]
    hostname: str | None

class ProvisionInfo(TypedDict):
    state: Literal["waiting", "starting", "serving", "joining", "connected", "done", "timeout", "failed"]
    ssid: str
    """the setup AP's"""
    url: str | None
    """the portal page while it is served"""

class Info(TypedDict):
    ap: ApInfo | None
    ip: StaticIp | None
    """(address, netmask, gateway, dns)"""
    connected_ms: int | None
    hostname: str | None
    mac: bytes
    status: Status
    disconnect_reason: DisconnectReason | None
    channel: int
    """the radio's channel now: the joined AP's, else our AP's, else the one set_channel() chose"""
    softap: SoftApInfo | None
    radio: RadioSettings
    provision: ProvisionInfo | None

class Stats(TypedDict):
    events: int
    queue_overflows: int
    sched_retries: int
    callbacks_raised: int
    connects: int
    disconnects: int
    disconnect_reasons: dict[str, int]
    beacon_timeouts: int
    reconnect_attempts: int
    reconnect_retry: int
    reconnect_delay_ms: int

class SntpStatus(TypedDict):
    synced: bool
    syncs: int
    failures: int
    last_sync_ms: int | None
    offset_ms: int | None
    error: Literal["timeout", "bad_reply", "no_server"] | None
    server: str

class MdnsStatus(TypedDict):
    running: bool
    hostname: str
    conflict: bool
    address: str | None

class Station(TypedDict):
    mac: bytes
    rssi: int
    ip: str | None

# ---- configuration -------------------------------------------------------------

class ScanOptions(TypedDict, total=False):
    passive: bool
    dwell: int
    """ms per channel, 1..1500 (default 120; 360 when passive)"""
    results: int
    """1..MAX_SCAN_RESULTS (default 6)"""
    show_hidden: bool
    ssid: Text
    bssid: Union[bytes, str]
    """6 bytes or "aa:bb:cc:dd:ee:ff\""""
    channel: int
    """0 (all) or 1..13 (14 where the radio country allows it)"""

class Reconnect(TypedDict, total=False):
    initial_ms: int
    max_ms: int

class EapConfig(TypedDict, total=False):
    method: Literal["peap", "ttls", "tls"]
    identity: Text
    """the outer (anonymous) identity, 1..127 bytes; default the username"""
    username: Text
    password: Text
    ca_cert: Union[bytes, str]
    """PEM or DER; absent: the server is not checked"""
    client_cert: Union[bytes, str]
    client_key: Union[bytes, str]
    client_key_password: Text

class StaConfig(TypedDict, total=False):
    ssid: Text
    """1..32 bytes"""
    psk: Text
    """8..63 characters or 64 hex digits; empty or absent: an open network"""
    bssid: Union[bytes, str, None]
    """join only this AP of the SSID (6 bytes or "aa:bb:cc:dd:ee:ff"); None: any"""
    eap: EapConfig | None
    """WPA2-Enterprise instead of a psk"""
    dhcp_hostname: Text
    managed: bool
    ip: StaticIp
    reconnect: Reconnect
    scan: ScanOptions
    networks: list[tuple[Text, Text | None]]
    channel: int
    """1..13: the radio's channel while not joined (ESP-NOW's)"""
    default_scan_results: int
    scan_dwell_ms: int
    scan_show_hidden: bool
    scan_passive: bool
    connected: Callable[[], object]
    disconnected: Callable[[], object]
    got_ip: Callable[[IpInfo], object]
    beacon_timeout: Callable[[], object]
    scan_done: Callable[[Union[ScanResult, NetError]], object]

class ApConfig(TypedDict, total=False):
    ssid: Text
    psk: Text
    ap_channel: int
    """1..13 (the radio country's channels; default 1)"""
    ssid_hidden: bool
    ap_ssid_hidden: bool
    max_connections: int
    """1..10 (default 4)"""
    ap_max_connections: int
    ap_started: Callable[[], object]
    sta_connected: Callable[[bytes], object]
    sta_disconnected: Callable[[bytes], object]
    sta_ip_assigned: Callable[[str], object]

class SntpConfig(TypedDict, total=False):
    host: Text
    port: int
    sync_interval: int
    """seconds, 1..86400 (default 3600)"""
    synchronized: Callable[[tuple[int, int]], object]
    """gets (tv_sec, tv_usec)"""

MdnsService = tuple[str, str, int, str]
"""(service, proto, port, instance), e.g. ("_http", "_tcp", 80, "Kitchen web")."""

class MdnsConfig(TypedDict, total=False):
    hostname: Text
    host: Text
    ttl: int
    services: list[MdnsService]

class EspNowConfig(TypedDict, total=False):
    rxbuf: int
    recv: Callable[[bytes, bytes], object]

class RadioConfig(TypedDict, total=False):
    txpower: float
    """dBm: 2..21 on ESP32 and the host build, 0..31.75 on the Pico W"""
    country: Text
    """two letters (ISO 3166), "01" or "XX" for worldwide"""
    power_save: PowerSave
    protocol: tuple[Protocol, ...]
    """("b",), ("b", "g"), ("b", "g", "n"), each with "lr", or ("lr",)"""
    bandwidth: Literal[20, 40]
    hostname: Text

class ProvisionConfig(TypedDict, total=False):
    ssid: Text
    """the setup AP's; default mpy-setup-<last 4 hex digits of the MAC>"""
    psk: Text
    timeout_s: int
    fallback_after_s: int
    grace_s: int
    title: Text
    port: int
    dns_port: int
    provisioned: Callable[[str], object]

class NetworkConfig(TypedDict, total=False):
    sta: StaConfig
    ap: ApConfig
    sntp: Union[SntpConfig, Text]
    mdns: MdnsConfig
    espnow: EspNowConfig
    radio: RadioConfig
    provision: ProvisionConfig

PropertyList = list[Any]
"""AtomVM's form: [("sta", [("ssid", "x"), "managed"]), ...]; a bare name means True."""

# ---- the API ---------------------------------------------------------------------

class Network:
    """The running network: what start() returns."""

    def sta_status(self) -> Status: ...
    def stop(self) -> None: ...

def start(config: Union[NetworkConfig, PropertyList, None] = None, *, sta: StaConfig | PropertyList = ...,
          ap: ApConfig | PropertyList = ..., sntp: Union[SntpConfig, Text, PropertyList] = ...,
          mdns: MdnsConfig | PropertyList = ..., espnow: EspNowConfig | PropertyList = ...,
          radio: RadioConfig | PropertyList = ...,
          provision: ProvisionConfig | PropertyList = ...) -> Network: ...
def stop() -> None: ...
def sta_status() -> Status: ...
def sta_connect(config: Union[StaConfig, NetworkConfig, PropertyList, None] = None, *, ssid: Text = ...,
                psk: Text = ..., bssid: Union[bytes, str, None] = ..., eap: EapConfig | None = ...,
                dhcp_hostname: Text = ..., ip: StaticIp = ..., reconnect: Reconnect = ...,
                scan: ScanOptions = ..., networks: list[tuple[Text, Text | None]] = ...,
                connected: Callable[[], object] = ..., disconnected: Callable[[], object] = ...,
                got_ip: Callable[[IpInfo], object] = ..., beacon_timeout: Callable[[], object] = ...,
                scan_done: Callable[[Union[ScanResult, NetError]], object] = ...) -> None: ...
def sta_disconnect() -> None: ...
def sta_rssi() -> int: ...
def wait_for_sta(config: Union[StaConfig, NetworkConfig, PropertyList, None] = None, timeout_ms: int = 15000, *,
                 ssid: Text = ..., psk: Text = ..., bssid: Union[bytes, str, None] = ...,
                 eap: EapConfig | None = ..., dhcp_hostname: Text = ..., ip: StaticIp = ...,
                 reconnect: Reconnect = ..., networks: list[tuple[Text, Text | None]] = ...) -> IpInfo: ...
def wait_for_ap(config: Union[ApConfig, PropertyList, None] = None, timeout_ms: int = 15000, *, ssid: Text = ...,
                psk: Text = ..., ap_channel: int = ..., ssid_hidden: bool = ...,
                max_connections: int = ...) -> None: ...
def wifi_scan(options: Union[ScanOptions, PropertyList, None] = None, *, passive: bool = ..., dwell: int = ...,
              results: int = ..., show_hidden: bool = ..., ssid: Text = ..., bssid: Union[bytes, str] = ...,
              channel: int = ...) -> ScanResult:
    """(found, networks); with a scan_done callback configured it returns None
    at once (typed as the result for the common case) and the callback gets it."""

def radio(*, txpower: float = ..., country: Text = ..., power_save: PowerSave = ...,
          protocol: tuple[Protocol, ...] = ..., bandwidth: Literal[20, 40] = ...,
          hostname: Text = ...) -> RadioSettings:
    """Change the settings given and return those in force; with none, just read them."""

def set_channel(channel: int) -> None:
    """1..13: the radio's channel while the station is not joined (ESP-NOW's); our AP moves with it."""

def ap_config(config: Union[ApConfig, PropertyList, None] = None, *, ssid: Text = ..., psk: Text = ...,
              ap_channel: int = ..., ssid_hidden: bool = ..., max_connections: int = ...) -> None:
    """Start our AP on the running network, or change it (the rest, PSK included, stays)."""

def ap_stop() -> None:
    """Stop our AP; the station and ESP-NOW go on."""

def send_raw(frame: Union[bytes, bytearray, memoryview]) -> None:
    """A raw 802.11 frame, 24 to 1500 bytes, on the radio's channel."""

def info() -> Info: ...
def stats() -> Stats: ...
def sntp_status() -> SntpStatus: ...
def mdns_status() -> MdnsStatus: ...
def ap_stations() -> list[Station]: ...
def provision(config: Union[ProvisionConfig, PropertyList, None] = None, *, ssid: Text = ..., psk: Text = ...,
              timeout_s: int = ..., fallback_after_s: int = ..., grace_s: int = ..., title: Text = ...,
              port: int = ..., dns_port: int = ..., provisioned: Callable[[str], object] = ...) -> IpInfo:
    """ip_info once on WiFi (stored credentials, else through the setup AP's portal); NetError("timeout")."""
