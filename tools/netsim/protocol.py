"""The device <-> air wire protocol, version 3 (docs/netsim-protocol.md).

A frame is a 4-byte big-endian length N (1..4096) followed by N bytes: a type
byte and a type-specific body. Strings are one length byte and the bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

VERSION = 3
FRAME_MAX = 4096

# device -> air
HELLO = 0x01
BYE = 0x02
STA_CONNECT = 0x10
STA_DISCONNECT = 0x11
SCAN = 0x12
AP_START = 0x13
MDNS_CLAIM = 0x14
MDNS_RELEASE = 0x15
ESPNOW_ACTIVE = 0x16
ESPNOW_SEND = 0x17
RADIO = 0x18
AP_STOP = 0x19
SET_CHANNEL = 0x1A
SNIFF = 0x20
RAW_TX = 0x21
STA_EAP = 0x22
SCAN_ABORT = 0x70
# air -> device
WELCOME = 0x81
STA_CONNECTED = 0x90
STA_GOT_IP = 0x91
STA_DISCONNECTED = 0x92
STA_BEACON_TIMEOUT = 0x93
STA_RSSI = 0x94
SCAN_RESULT = 0x95
SCAN_DONE = 0x96
STA_CHANNEL = 0x97
MDNS_NAME = 0x98
ESPNOW_RX = 0x99
ESPNOW_SENT = 0x9A
RADIO_CHANNEL = 0x9B
SCAN_ABORTED = 0xF0
DRIVER_BUSY = 0xF1
AP_STARTED = 0xA0
AP_FAILED = 0xA1
AP_CHANNEL = 0xA2
AP_STA_CONNECTED = 0xA3
AP_STA_DISCONNECTED = 0xA4
AP_STA_IP_ASSIGNED = 0xA5
SNIFF_RX = 0xB0
ERROR = 0xFF

# ERROR codes
ERR_BAD_FRAME = 1
ERR_BAD_VERSION = 2
ERR_UNKNOWN_TYPE = 3
ERR_NOT_HELLO = 4
ERR_MAC_IN_USE = 5

# Disconnect reasons: the values of netman_reason_t in cmod/netman/netman_hal.h.
REASONS = {
    "auth_failed": 1,
    "no_ap_found": 2,
    "beacon_timeout": 3,
    "ap_left": 4,
    "by_request": 5,
    "assoc_failed": 6,
    "ssid_in_use": 8,
}

# EAP methods: the values of netman_eap_method_t.
EAP_METHODS = {1: "peap", 2: "ttls", 3: "tls"}

# Auth modes: the values of netman_auth_t.
AUTHMODES = (
    "open", "wep", "wpa_psk", "wpa2_psk", "wpa_wpa2_psk", "wpa2_enterprise",
    "wpa3_psk", "wpa2_wpa3_psk", "wapi_psk", "owe",
)


class ProtocolError(Exception):
    """A frame that does not follow the protocol; .code is the ERROR code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class Writer:
    """Builds one frame body."""

    def __init__(self, msg_type: int) -> None:
        self.parts: list[bytes] = [bytes([msg_type])]

    def u8(self, value: int) -> Writer:
        self.parts.append(bytes([value]))
        return self

    def raw(self, data: bytes) -> Writer:
        self.parts.append(data)
        return self

    def string(self, data: bytes) -> Writer:
        if len(data) > 255:
            raise ValueError("string longer than 255 bytes")
        self.parts.append(bytes([len(data)]) + data)
        return self

    def ipv4(self, address: str) -> Writer:
        self.parts.append(bytes(int(x) for x in address.split(".")))
        return self

    def u16(self, value: int) -> Writer:
        self.parts.append(struct.pack(">H", value))
        return self

    def i8(self, value: int) -> Writer:
        self.parts.append(struct.pack("b", value))
        return self

    def frame(self) -> bytes:
        body = b"".join(self.parts)
        return struct.pack(">I", len(body)) + body


class Reader:
    """Reads one frame body; every read is bounds-checked."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pos = 1

    @property
    def msg_type(self) -> int:
        return self.body[0]

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.body):
            raise ProtocolError(ERR_BAD_FRAME, f"frame type 0x{self.msg_type:02x} is truncated")
        data = self.body[self.pos:self.pos + n]
        self.pos += n
        return data

    def u8(self) -> int:
        return self.raw(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.raw(2))[0]
        return value

    def string(self) -> bytes:
        return self.raw(self.u8())

    def ipv4(self) -> str:
        return ".".join(str(b) for b in self.raw(4))

    def end(self) -> None:
        if self.pos != len(self.body):
            raise ProtocolError(ERR_BAD_FRAME, f"frame type 0x{self.msg_type:02x} has {len(self.body) - self.pos} extra bytes")


def parse_length(prefix: bytes) -> int:
    length: int = struct.unpack(">I", prefix)[0]
    if not 1 <= length <= FRAME_MAX:
        raise ProtocolError(ERR_BAD_FRAME, f"frame length {length} outside 1..{FRAME_MAX}")
    return length


@dataclass(frozen=True)
class Hello:
    version: int
    mac: bytes
    name: str


def parse_hello(reader: Reader) -> Hello:
    if reader.msg_type != HELLO:
        raise ProtocolError(ERR_NOT_HELLO, "the first frame must be HELLO")
    version = reader.u8()
    mac = reader.raw(6)
    name = reader.string().decode(errors="replace")
    reader.end()
    return Hello(version, mac, name)


def error_frame(code: int, message: str) -> bytes:
    return Writer(ERROR).u8(code).string(message.encode(errors="backslashreplace")[:255]).frame()


def mac_str(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def parse_mac(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a MAC address like aa:bb:cc:dd:ee:ff")
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 for p in parts):
        raise ValueError(f"{text!r} is not a MAC address like aa:bb:cc:dd:ee:ff")
    return bytes(int(p, 16) for p in parts)
