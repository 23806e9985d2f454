# Stored WiFi credentials: one station and one access-point (ssid, psk)
# pair, kept where the target keeps such things (NVS on ESP32, a file in
# flash on rp2, a file on the host build: see location()). They are stored
# in plain text. A PSK is never printed or put in an exception or a repr.

import binascii

import _netman

from . import _config

_MAGIC = b"NMC1"
_KINDS = ("sta", "ap")


class Credential:
    """An (ssid, psk) pair; unpacks like a tuple, hides the PSK in its repr.
    Each is a str, or bytes when it is not UTF-8 (the radio takes any bytes)."""

    def __init__(self, ssid, psk):
        self.ssid = ssid
        self.psk = psk

    def __iter__(self):
        yield self.ssid
        yield self.psk

    def __eq__(self, other):
        return tuple(self) == tuple(other)

    def __repr__(self):
        return "Credential(ssid=%r, psk=%s)" % (self.ssid, "<hidden>" if self.psk else "<none>")


def _encode(entries):
    out = bytearray(_MAGIC)
    out.append(len(entries))
    for kind, (ssid, psk) in entries.items():
        out.append(_KINDS.index(kind) + 1)
        out.append(len(ssid))
        out.extend(ssid)
        out.append(len(psk))
        out.extend(psk)
    out.extend((binascii.crc32(out) & 0xFFFFFFFF).to_bytes(4, "little"))
    return bytes(out)


def _decode(blob):
    # {kind: (ssid, psk)}; raises ValueError describing what is wrong.
    if len(blob) < len(_MAGIC) + 5 or blob[:4] != _MAGIC:
        raise ValueError("not a netman credentials file")
    body, crc = blob[:-4], int.from_bytes(blob[-4:], "little")
    if binascii.crc32(body) & 0xFFFFFFFF != crc:
        raise ValueError("checksum mismatch (damaged or half written)")
    entries = {}
    pos = 5
    for _ in range(body[4]):
        if pos + 2 > len(body) or not 1 <= body[pos] <= len(_KINDS):
            raise ValueError("bad entry")
        kind = _KINDS[body[pos] - 1]
        ssid_end = pos + 2 + body[pos + 1]
        if ssid_end + 1 > len(body):
            raise ValueError("bad entry")
        psk_end = ssid_end + 1 + body[ssid_end]
        if psk_end > len(body):
            raise ValueError("bad entry")
        ssid, psk = bytes(body[pos + 2:ssid_end]), bytes(body[ssid_end + 1:psk_end])
        # What store() would refuse is damage too: start() must not trip on it.
        _config.check_ssid(kind, "ssid", ssid)
        _config.check_psk(kind, "psk", psk)
        entries[kind] = (ssid, psk)
        pos = psk_end
    if pos != len(body):
        raise ValueError("trailing bytes")
    return entries


def _pairs():
    """{kind: (ssid, psk)} as stored, in bytes; {} when nothing (or nothing
    readable) is stored."""
    blob = _netman.store_read()
    if blob is None:
        return {}
    try:
        return _decode(blob)
    except ValueError as error:
        # Never fatal: the device must still start.
        print("netman: warning: ignoring the credentials at %s: %s" % (_netman.store_location(), error))
        return {}


def _pair(kind, value):
    where = "credentials.store: '%s'" % kind
    if not isinstance(value, (tuple, list, Credential)) or len(tuple(value)) != 2:
        raise TypeError("%s must be (ssid, psk)" % where)
    ssid, psk = tuple(value)
    return _config.check_ssid(where, "ssid", ssid), _config.check_psk(where, "psk", psk or b"")


def store(sta=None, ap=None):
    """Store the station's and/or the access point's (ssid, psk); a kind not
    given keeps what was stored for it."""
    given = {}
    if sta is not None:
        given["sta"] = _pair("sta", sta)
    if ap is not None:
        given["ap"] = _pair("ap", ap)
    if not given:
        raise TypeError("credentials.store: give sta=(ssid, psk) and/or ap=(ssid, psk)")
    entries = _pairs()
    entries.update(given)
    _netman.store_write(_encode(entries))


def load():
    """{"sta": Credential or None, "ap": Credential or None}."""
    entries = _pairs()
    out = {}
    for kind in _KINDS:
        pair = entries.get(kind)
        out[kind] = Credential(_config.text_or_bytes(pair[0]), _config.text_or_bytes(pair[1])) if pair else None
    return out


def clear():
    """Forget everything stored."""
    _netman.store_erase()


def location():
    """Where this device keeps its credentials."""
    return _netman.store_location()
