"""ESP-NOW with the API of MicroPython's `espnow` (receive ring in C).

Errors are OSError(-code, "ESP_ERR_ESPNOW_...") as MicroPython's ESP32 port
raises them (the ESP-IDF code negated), checked in the same order.
"""

from typing import Any, Callable, Iterator, Union, overload

import io

MAX_DATA_LEN: int
KEY_LEN: int
ADDR_LEN: int
MAX_TOTAL_PEER_NUM: int
MAX_ENCRYPT_PEER_NUM: int
RATE_1M: int
RATE_2M: int
RATE_5M: int
RATE_6M: int
RATE_11M: int
RATE_12M: int
RATE_24M: int
RATE_54M: int
RATE_LORA_250K: int
RATE_LORA_500K: int

Mac = Union[bytes, bytearray, memoryview]
"""6 bytes"""
Message = Union[bytes, bytearray, memoryview, str]
Key = Union[bytes, bytearray, str]
"""16 bytes"""
Peer = tuple[bytes, bytes, int, int, bool]
"""(mac, lmk (16 bytes, zeros when none), channel, ifidx, encrypt)"""

class ESPNow(io.IOBase):
    @property
    def peers_table(self) -> dict[bytes, list[int]]:
        """{sender mac: [rssi, time_ms]} of every sender heard (one table, read-only)"""

    def __init__(self) -> None: ...
    def active(self, flag: bool | None = None) -> bool: ...
    @overload
    def config(self, param: str, /) -> Any: ...
    @overload
    def config(self, *, rxbuf: int = ..., timeout_ms: int = ..., rate: int = ...) -> None: ...
    @overload
    def send(self, msg: Message, /) -> bool: ...
    @overload
    def send(self, mac: Mac | None, msg: Message, sync: bool | None = None) -> bool: ...
    def recvinto(self, data: list[Any], timeout_ms: int | None = None) -> int:
        """data: [peer, msg (a writable buffer of MAX_DATA_LEN or more)(, rssi, time_ms)]; returns the length (0: nothing)."""

    def irecv(self, timeout_ms: int | None = None) -> Union[list[Any], tuple[None, None]]:
        """[mac, msg] in buffers reused by the next call, or (None, None)."""

    def recv(self, timeout_ms: int | None = None) -> Union[list[bytes], tuple[None, None]]:
        """[mac, msg] as new bytes, or (None, None)."""

    def any(self) -> bool: ...
    def stats(self) -> tuple[int, int, int, int, int]:
        """(tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped_packets)"""

    def __iter__(self) -> Iterator[Any]: ...
    def __next__(self) -> Any: ...
    def irq(self, callback: Callable[["ESPNow"], object] | None) -> None: ...
    def ioctl(self, request: int, arg: int) -> int:
        """The stream protocol: select.poll() sees the object readable while a frame waits."""

    def set_pmk(self, pmk: Key) -> None: ...
    def add_peer(self, mac: Mac, lmk: Key | None = None, channel: int | None = None, ifidx: int | None = None,
                 encrypt: bool | None = None) -> None: ...
    def mod_peer(self, mac: Mac, lmk: Key | None = None, channel: int | None = None, ifidx: int | None = None,
                 encrypt: bool | None = None) -> None: ...
    def get_peer(self, mac: Mac) -> Peer: ...
    def get_peers(self) -> tuple[Peer, ...]: ...
    def del_peer(self, mac: Mac) -> None: ...
    def peer_count(self) -> tuple[int, int]:
        """(peers, encrypted peers)"""
