"""Pycom's promiscuous-mode names on netman.sniffer."""

from typing import Any, Callable

from .sniffer import SnifferFrame

class Packet:
    rssi: int
    rate: int
    sig_mode: int
    mcs: int
    cwb: int
    aggregation: int
    stbc: int
    fec_coding: int
    sgi: int
    noise_floor: int
    ampdu_cnt: int
    channel: int
    sec_channel: int
    time_stamp: int
    ant: int
    sig_len: int
    rx_state: int
    data: bytes
    def __init__(self, frame: SnifferFrame) -> None: ...
    def __getitem__(self, index: int) -> Any: ...
    def __len__(self) -> int: ...

class WLAN:
    STA: int
    AP: int
    STA_AP: int
    EVENT_PKT_MGMT: int
    EVENT_PKT_CTRL: int
    EVENT_PKT_DATA: int
    EVENT_PKT_MISC: int
    EVENT_PKT_DATA_MPDU: int
    EVENT_PKT_DATA_AMPDU: int
    EVENT_PKT_ANY: int
    FILTER_CTRL_PKT_ALL: int
    FILTER_CTRL_PKT_WRAPPER: int
    FILTER_CTRL_PKT_BAR: int
    FILTER_CTRL_PKT_BA: int
    FILTER_CTRL_PKT_PSPOLL: int
    FILTER_CTRL_PKT_RTS: int
    FILTER_CTRL_PKT_CTS: int
    FILTER_CTRL_PKT_ACK: int
    FILTER_CTRL_PKT_CFEND: int
    FILTER_CTRL_PKT_CFENDACK: int
    def __init__(self) -> None: ...
    def promiscuous(self, enable: bool | None = None) -> bool | None: ...
    def callback(self, trigger: int, handler: Callable[[Any], object] | None = None, arg: Any = None) -> None: ...
    def events(self) -> int: ...
    def wifi_packet(self) -> Packet | None: ...
    def ctrl_pkt_filter(self, mask: int | None = None) -> int | None: ...
    def channel(self, channel: int | None = None, sec_channel: int | None = None) -> int | None: ...
    def send_raw(self, Buffer: bytes, interface: int | None = None, use_sys_seq: bool = True) -> None: ...
