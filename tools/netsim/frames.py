"""Real 802.11 frames (IEEE 802.11-2020, clause 9) for the devices that sniff:
what the air's APs and devices would put on the air, built from what the air
knows. Frames carry no FCS (drivers hand sniffers frames without it)."""

from __future__ import annotations

import struct

BROADCAST = b"\xff" * 6

# Frame control: type in bits 2-3, subtype in bits 4-7 of the first byte.
MGMT, CTRL, DATA = 0, 1, 2
ASSOC_REQ, ASSOC_RESP, PROBE_REQ, PROBE_RESP, BEACON = 0, 1, 4, 5, 8
DISASSOC, AUTH, DEAUTH, ACTION = 10, 11, 12, 13
DATA_PLAIN, NULL_DATA = 0, 4
# Flags (the second byte).
TO_DS, FROM_DS, POWER_MGMT, PROTECTED = 0x01, 0x02, 0x10, 0x40

# Supported rates: 1, 2, 5.5 and 11 Mb/s basic, 6 to 54 Mb/s (500 kb/s units).
RATES = bytes([0x82, 0x84, 0x8B, 0x96, 0x0C, 0x12, 0x18, 0x24])
EXTENDED_RATES = bytes([0x30, 0x48, 0x60, 0x6C])
# The RSN element's suites (00-0F-AC): CCMP; PSK, 802.1X, SAE key management.
CCMP = b"\x00\x0f\xac\x04"
AKM = {"psk": b"\x00\x0f\xac\x02", "8021x": b"\x00\x0f\xac\x01", "sae": b"\x00\x0f\xac\x08"}
# Espressif's OUI; ESP-NOW is a vendor-specific action frame (ESP-IDF's ESP-NOW guide).
ESPRESSIF_OUI = b"\x18\xfe\x34"
ESPNOW_TYPE, ESPNOW_VERSION = 4, 1
LLC_SNAP = b"\xaa\xaa\x03\x00\x00\x00"
ETHERTYPE_IPV4 = b"\x08\x00"


def control_field(kind: int, subtype: int, flags: int = 0) -> bytes:
    return bytes([subtype << 4 | kind << 2, flags])


def header(kind: int, subtype: int, addr1: bytes, addr2: bytes, addr3: bytes, seq: int, flags: int = 0) -> bytes:
    """The 24-byte MAC header (duration 0; sequence number in the top 12 bits)."""
    return control_field(kind, subtype, flags) + b"\x00\x00" + addr1 + addr2 + addr3 + struct.pack("<H", (seq & 0xFFF) << 4)


def element(ident: int, body: bytes) -> bytes:
    return bytes([ident, len(body)]) + body


def security_elements(authmode: str) -> bytes:
    """The RSN and WPA elements an AP of that authmode advertises."""
    def rsn(akm: bytes) -> bytes:
        return element(48, b"\x01\x00" + CCMP + b"\x01\x00" + CCMP + b"\x01\x00" + akm + b"\x00\x00")

    wpa = element(221, b"\x00\x50\xf2\x01\x01\x00" + b"\x00\x50\xf2\x02" + b"\x01\x00\x00\x50\xf2\x02"
                  + b"\x01\x00\x00\x50\xf2\x02")
    return {
        "wpa_psk": wpa,
        "wpa2_psk": rsn(AKM["psk"]),
        "wpa_wpa2_psk": rsn(AKM["psk"]) + wpa,
        "wpa2_enterprise": rsn(AKM["8021x"]),
        "wpa3_psk": rsn(AKM["sae"]),
        "wpa2_wpa3_psk": element(48, b"\x01\x00" + CCMP + b"\x01\x00" + CCMP + b"\x02\x00" + AKM["psk"]
                                 + AKM["sae"] + b"\x00\x00"),
    }.get(authmode, b"")


def capability(authmode: str) -> bytes:
    """ESS, privacy when secured, short preamble and slot time."""
    return struct.pack("<H", 0x0001 | (0x0010 if authmode != "open" else 0) | 0x0020 | 0x0400)


def beacon(bssid: bytes, ssid: bytes, channel: int, authmode: str, interval_tu: int, tsf_us: int, seq: int,
           hidden: bool) -> bytes:
    """A beacon; a hidden AP beacons an empty SSID."""
    body = (struct.pack("<QH", tsf_us, interval_tu) + capability(authmode) + element(0, b"" if hidden else ssid)
            + element(1, RATES) + element(3, bytes([channel])) + element(5, b"\x00\x01\x00\x00")
            + element(50, EXTENDED_RATES) + security_elements(authmode))
    return header(MGMT, BEACON, BROADCAST, bssid, bssid, seq) + body


def probe_request(station: bytes, ssid: bytes, seq: int) -> bytes:
    """A probe request; an empty SSID is the wildcard."""
    return (header(MGMT, PROBE_REQ, BROADCAST, station, BROADCAST, seq) + element(0, ssid) + element(1, RATES)
            + element(50, EXTENDED_RATES))


def probe_response(bssid: bytes, station: bytes, ssid: bytes, channel: int, authmode: str, interval_tu: int,
                   tsf_us: int, seq: int) -> bytes:
    body = (struct.pack("<QH", tsf_us, interval_tu) + capability(authmode) + element(0, ssid) + element(1, RATES)
            + element(3, bytes([channel])) + element(50, EXTENDED_RATES) + security_elements(authmode))
    return header(MGMT, PROBE_RESP, station, bssid, bssid, seq) + body


def authentication(src: bytes, dst: bytes, bssid: bytes, transaction: int, seq: int) -> bytes:
    """Open System authentication, transaction 1 (request) or 2 (response, success)."""
    return header(MGMT, AUTH, dst, src, bssid, seq) + struct.pack("<HHH", 0, transaction, 0)


def association_request(station: bytes, bssid: bytes, ssid: bytes, authmode: str, seq: int) -> bytes:
    return (header(MGMT, ASSOC_REQ, bssid, station, bssid, seq) + capability(authmode) + struct.pack("<H", 10)
            + element(0, ssid) + element(1, RATES) + element(50, EXTENDED_RATES) + security_elements(authmode))


def association_response(bssid: bytes, station: bytes, aid: int, authmode: str, seq: int) -> bytes:
    return (header(MGMT, ASSOC_RESP, station, bssid, bssid, seq) + capability(authmode)
            + struct.pack("<HH", 0, 0xC000 | aid) + element(1, RATES) + element(50, EXTENDED_RATES))


def deauthentication(src: bytes, dst: bytes, bssid: bytes, reason: int, seq: int) -> bytes:
    return header(MGMT, DEAUTH, dst, src, bssid, seq) + struct.pack("<H", reason)


def espnow(src: bytes, dst: bytes, data: bytes, encrypted: bool, seq: int) -> bytes:
    """ESP-NOW: a vendor-specific action frame (category 127) to `dst`, with
    the broadcast BSSID. An encrypted one is protected: its body is opaque."""
    body = (bytes([127]) + ESPRESSIF_OUI + b"\x00\x00\x00\x00"
            + element(221, ESPRESSIF_OUI + bytes([ESPNOW_TYPE, ESPNOW_VERSION]) + data))
    if encrypted:
        return header(MGMT, ACTION, dst, src, BROADCAST, seq, PROTECTED) + opaque(len(body) + 16)
    return header(MGMT, ACTION, dst, src, BROADCAST, seq) + body


def opaque(length: int) -> bytes:
    """What a sniffer sees of an encrypted body: a CCMP header, then bytes it cannot read."""
    return bytes([0x01, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00]) + b"\x5a" * max(0, length - 8)


def udp_over_ip(src_ip: bytes, dst_ip: bytes, src_port: int, dst_port: int, payload_len: int) -> bytes:
    """LLC/SNAP, IPv4 and UDP headers for a datagram of payload_len bytes (the payload left out)."""
    total = 20 + 8 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, 17, 0, src_ip, dst_ip)
    return LLC_SNAP + ETHERTYPE_IPV4 + ip + struct.pack(">HHHH", src_port, dst_port, 8 + payload_len, 0)


ETHERTYPE_EAPOL = b"\x88\x8e"


def eapol(eap: bytes) -> bytes:
    """An EAP packet in EAPOL (802.1X-2004, version 2, type 0), after LLC/SNAP."""
    return LLC_SNAP + ETHERTYPE_EAPOL + struct.pack(">BBH", 2, 0, len(eap)) + eap


def eap_request_identity() -> bytes:
    return eapol(struct.pack(">BBHB", 1, 1, 5, 1))


def eap_response_identity(identity: bytes) -> bytes:
    return eapol(struct.pack(">BBHB", 2, 1, 5 + len(identity), 1) + identity)


def eap_verdict(success: bool) -> bytes:
    return eapol(struct.pack(">BBH", 3 if success else 4, 2, 4))


def data_to_ap(station: bytes, bssid: bytes, destination: bytes, body: bytes, seq: int, protected: bool) -> bytes:
    flags = TO_DS | (PROTECTED if protected else 0)
    return header(DATA, DATA_PLAIN, bssid, station, destination, seq, flags) + (opaque(len(body) + 16)
                                                                                if protected else body)


def data_from_ap(bssid: bytes, station: bytes, source: bytes, body: bytes, seq: int, protected: bool) -> bytes:
    flags = FROM_DS | (PROTECTED if protected else 0)
    return header(DATA, DATA_PLAIN, station, bssid, source, seq, flags) + (opaque(len(body) + 16)
                                                                            if protected else body)


def null_data(station: bytes, bssid: bytes, power_save: bool, seq: int) -> bytes:
    """A station's null data frame: it tells the AP it dozes (PM bit) or is awake."""
    return header(DATA, NULL_DATA, bssid, station, bssid, seq, TO_DS | (POWER_MGMT if power_save else 0))


# ---- reading frames (the tests use these) ------------------------------------------

def kind(frame: bytes) -> tuple[int, int]:
    """(type, subtype)"""
    return (frame[0] >> 2) & 3, frame[0] >> 4


def addresses(frame: bytes) -> tuple[bytes, bytes, bytes]:
    return frame[4:10], frame[10:16], frame[16:22]


def elements(frame: bytes) -> dict[int, bytes]:
    """The information elements of a management frame (the first of each ID)."""
    fixed = {BEACON: 12, PROBE_RESP: 12, PROBE_REQ: 0, ASSOC_REQ: 4, ASSOC_RESP: 6}
    offset = 24 + fixed.get(kind(frame)[1], 0)
    found: dict[int, bytes] = {}
    while offset + 2 <= len(frame):
        ident, length = frame[offset], frame[offset + 1]
        found.setdefault(ident, frame[offset + 2:offset + 2 + length])
        offset += 2 + length
    return found
