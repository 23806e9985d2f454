"""netman.sniffer: the radio in promiscuous mode, frames read from a C ring
into a reused SnifferFrame without allocating."""

from typing import Any, Callable, Iterator, Literal, TypedDict, Union

FrameType = Literal["mgmt", "ctrl", "data"]
Subtype = Literal["assoc_req", "assoc_resp", "reassoc_req", "reassoc_resp", "probe_req", "probe_resp",
                  "timing_adv", "beacon", "atim", "disassoc", "auth", "deauth", "action", "action_no_ack"]
CtrlSubtype = Literal["trigger", "tack", "beamforming_poll", "ndp_announcement", "extension", "wrapper", "bar",
                      "ba", "ps_poll", "rts", "cts", "ack", "cf_end", "cf_end_ack"]

TYPES: dict[str, int]
SUBTYPES: dict[str, int]
CTRL_SUBTYPES: dict[str, int]
ALL: int
DEFAULTS: dict[str, Any]
POLL_MS: int

class SnifferFrame:
    """One frame as read: rewritten in place by every read into it."""

    channel: int
    rssi: int
    time_ms: int
    """time.ticks_ms() when it arrived"""
    length: int
    """on the air, without the FCS"""
    type: int | None
    """0 management, 1 control, 2 data"""
    subtype: int | None
    data: bytearray
    """its first bytes (at most snaplen)"""
    def __init__(self, capacity: int) -> None: ...

class Config(TypedDict):
    rxbuf: int
    snaplen: int
    types: Union[tuple[FrameType, ...], list[FrameType]]
    subtypes: Union[tuple[Subtype, ...], list[Subtype], None]
    ctrl_subtypes: Union[tuple[CtrlSubtype, ...], list[CtrlSubtype], None]
    channel: int | None
    channels: Union[tuple[int, ...], list[int], None]
    dwell: int

class Stats(TypedDict):
    received: int
    dropped: int
    filtered: int

class Sniffer:
    def start(self, *, rxbuf: int = ..., snaplen: int = ...,
              types: Union[tuple[FrameType, ...], list[FrameType]] = ...,
              subtypes: Union[tuple[Subtype, ...], list[Subtype], None] = ...,
              ctrl_subtypes: Union[tuple[CtrlSubtype, ...], list[CtrlSubtype], None] = ...,
              channel: int | None = ..., channels: Union[tuple[int, ...], list[int], None] = ...,
              dwell: int = ...) -> None: ...
    def stop(self) -> None: ...
    def active(self) -> bool: ...
    def config(self) -> Config | None: ...
    def recvinto(self, frame: SnifferFrame, timeout_ms: int = 0) -> int: ...
    def irecv(self, timeout_ms: int = 0) -> SnifferFrame | None: ...
    def any(self) -> bool: ...
    def stats(self) -> Stats: ...
    def irq(self, callback: Callable[["Sniffer"], object] | None) -> None: ...
    def __iter__(self) -> Iterator[SnifferFrame]: ...
    def __next__(self) -> SnifferFrame: ...
    def __aiter__(self) -> "Sniffer": ...
    async def __anext__(self) -> SnifferFrame: ...
