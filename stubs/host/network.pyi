"""The host build's `network` module: MicroPython's documented WLAN API
(docs/library/network.rst, network.WLAN.rst), on netman's core and the air.

On a board, use the board's own `network` stubs (micropython-<port>-stubs)
instead: this file describes the host build only. It follows what
MicroPython documents; the host build's module is being written (compat,
issue 14): extend this file as its API lands.
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

ScanEntry = tuple[bytes, bytes, int, int, int, int]
"""(ssid, bssid, channel, RSSI, security, hidden)"""
IfConfig = tuple[str, str, str, str]
"""(ip, subnet, gateway, dns)"""

class WLAN:
    IF_STA: int
    IF_AP: int
    PM_PERFORMANCE: int
    PM_POWERSAVE: int
    PM_NONE: int

    def __init__(self, interface_id: int = ..., /) -> None: ...
    @overload
    def active(self) -> bool: ...
    @overload
    def active(self, is_active: bool, /) -> None: ...
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
