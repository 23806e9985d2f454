"""The host build's `network` module: MicroPython's documented WLAN API
(docs/library/network.rst, network.WLAN.rst), on netman's core and the air.

On a board, use the board's own `network` stubs (micropython-<port>-stubs)
instead: this file describes the host build only (boards/host/network.py),
which behaves as MicroPython's ESP32 port does.
"""

from typing import Any, overload

STA_IF: int
AP_IF: int

STAT_IDLE: int
STAT_CONNECTING: int
STAT_WRONG_PASSWORD: int
STAT_NO_AP_FOUND: int
STAT_CONNECT_FAIL: int
STAT_GOT_IP: int
STAT_BEACON_TIMEOUT: int
STAT_ASSOC_FAIL: int
STAT_HANDSHAKE_TIMEOUT: int
STAT_NO_AP_FOUND_W_COMPATIBLE_SECURITY: int
STAT_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD: int
STAT_NO_AP_FOUND_IN_RSSI_THRESHOLD: int
MODE_11B: int
MODE_11G: int
MODE_11N: int
MODE_LR: int
AUTH_OPEN: int
AUTH_WEP: int
AUTH_WPA_PSK: int
AUTH_WPA2_PSK: int
AUTH_WPA_WPA2_PSK: int
AUTH_WPA2_ENTERPRISE: int
AUTH_WPA3_PSK: int
AUTH_WPA2_WPA3_PSK: int
AUTH_WAPI_PSK: int
AUTH_OWE: int
AUTH_WPA3_ENT_192: int
AUTH_WPA3_EXT_PSK: int
AUTH_WPA3_EXT_PSK_MIXED_MODE: int
AUTH_MAX: int

ScanEntry = tuple[bytes, bytes, int, int, int, int]
"""(ssid, bssid, channel, RSSI, security, hidden)"""
IfConfig = tuple[str, str, str, str]
"""(ip, subnet, gateway, dns)"""

class WLAN:
    IF_STA: int
    IF_AP: int
    SEC_OPEN: int
    SEC_WEP: int
    SEC_WPA: int
    SEC_WPA2: int
    SEC_WPA_WPA2: int
    SEC_WPA2_ENT: int
    SEC_WPA3: int
    SEC_WPA2_WPA3: int
    SEC_WAPI: int
    SEC_OWE: int
    SEC_WPA3_ENT_192: int
    SEC_WPA3_EXT_PSK: int
    SEC_WPA3_EXT_PSK_MIXED_MODE: int
    SEC_DPP: int
    SEC_WPA3_ENT: int
    SEC_WPA2_WPA3_ENT: int
    SEC_WPA_ENT: int
    PROTOCOL_DEFAULT: int
    PROTOCOL_LR: int
    PM_PERFORMANCE: int
    PM_POWERSAVE: int
    PM_NONE: int

    def __init__(self, interface_id: int = ..., /) -> None: ...
    @overload
    def active(self) -> bool: ...
    @overload
    def active(self, is_active: bool, /) -> bool: ...
    def connect(self, ssid: str | None = None, key: str | None = None, *, bssid: bytes | None = None) -> None: ...
    def disconnect(self) -> None: ...
    def scan(self) -> list[ScanEntry]: ...
    @overload
    def status(self) -> int: ...
    @overload
    def status(self, param: str, /) -> Any: ...
    def isconnected(self) -> bool: ...
    @overload
    def ifconfig(self) -> IfConfig: ...
    @overload
    def ifconfig(self, config: IfConfig, /) -> None: ...
    @overload
    def ipconfig(self, param: str, /) -> Any: ...
    @overload
    def ipconfig(self, **values: Any) -> None: ...
    @overload
    def config(self, param: str, /) -> Any: ...
    @overload
    def config(self, **values: Any) -> None: ...

@overload
def hostname() -> str: ...
@overload
def hostname(name: str, /) -> None: ...
@overload
def country() -> str: ...
@overload
def country(code: str, /) -> None: ...
@overload
def ipconfig(param: str, /) -> Any: ...
@overload
def ipconfig(**values: Any) -> None: ...
def phy_mode(mode: int = ..., /) -> None: ...
