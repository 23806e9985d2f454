# netman.sniffer: the radio in promiscuous mode. Frames go from the driver
# into a ring in C (_netman); irecv(), recvinto() and iteration read them
# into a reused SnifferFrame without allocating. The radio must be on:
# start netman first (e.g. netman.start(sta={"managed": True})).

import time

import _netman

from . import _config

SnifferFrame = _netman.SnifferFrame

TYPES = {"mgmt": 1, "ctrl": 2, "data": 4}
# Management and control subtypes (IEEE 802.11-2020, table 9-1).
SUBTYPES = {"assoc_req": 0, "assoc_resp": 1, "reassoc_req": 2, "reassoc_resp": 3, "probe_req": 4,
            "probe_resp": 5, "timing_adv": 6, "beacon": 8, "atim": 9, "disassoc": 10, "auth": 11,
            "deauth": 12, "action": 13, "action_no_ack": 14}
CTRL_SUBTYPES = {"trigger": 2, "tack": 3, "beamforming_poll": 4, "ndp_announcement": 5, "extension": 6,
                 "wrapper": 7, "bar": 8, "ba": 9, "ps_poll": 10, "rts": 11, "cts": 12, "ack": 13,
                 "cf_end": 14, "cf_end_ack": 15}
ALL = 0xFFFF
DEFAULTS = {"rxbuf": 8192, "snaplen": 256, "types": ("mgmt", "ctrl", "data"), "subtypes": None,
            "ctrl_subtypes": None, "channel": None, "channels": None, "dwell": 200}
POLL_MS = 1

_WHERE = "sniffer"


def _names(key, value, table):
    # A bit mask from a tuple of names (None: all).
    if value is None:
        return ALL
    if not isinstance(value, (list, tuple)) or not value:
        raise TypeError("%s: '%s' must be a non-empty tuple of names like %r" % (_WHERE, key, tuple(table)[:2]))
    mask = 0
    for name in value:
        if name not in table:
            raise ValueError("%s: '%s' has no %r; valid: %s" % (_WHERE, key, name, ", ".join(sorted(table))))
        mask |= 1 << table[name]
    return mask


def _options(given):
    # Every option, checked, with the defaults; channels as a tuple (empty:
    # stay on the radio's channel).
    out = dict(DEFAULTS)
    for key, value in given.items():
        if key not in DEFAULTS:
            raise _config._unknown(_WHERE, key, DEFAULTS)
        out[key] = value
    out["snaplen"] = _config._int_range(10, 2346)(_WHERE, "snaplen", out["snaplen"])
    head = _netman.SNIFFER_RECORD_HEAD
    out["rxbuf"] = _config._int_range(head + out["snaplen"], 1 << 20)(_WHERE, "rxbuf", out["rxbuf"])
    if not isinstance(out["types"], (list, tuple)) or not out["types"]:
        raise TypeError("%s: 'types' must be a non-empty tuple of 'mgmt', 'ctrl', 'data'" % _WHERE)
    types = 0
    for name in out["types"]:
        if name not in TYPES:
            raise ValueError("%s: 'types' has no %r; valid: ctrl, data, mgmt" % (_WHERE, name))
        types |= TYPES[name]
    out["type_mask"] = types
    out["subtype_mask"] = _names("subtypes", out["subtypes"], SUBTYPES)
    out["ctrl_mask"] = _names("ctrl_subtypes", out["ctrl_subtypes"], CTRL_SUBTYPES)
    out["dwell"] = _config._int_range(10, 60000)(_WHERE, "dwell", out["dwell"])
    if out["channel"] is not None and out["channels"] is not None:
        raise ValueError("%s: give 'channel' (stay on one) or 'channels' (hop), not both" % _WHERE)
    country = _netman.radio_get()["country"]
    if out["channels"] is not None:
        if not isinstance(out["channels"], (list, tuple)) or not 1 <= len(out["channels"]) <= 14:
            raise TypeError("%s: 'channels' must be a tuple of 1 to 14 channels" % _WHERE)
        hops = tuple(out["channels"])
    else:
        hops = () if out["channel"] is None else (out["channel"],)
    for channel in hops:
        _config.check_channel(_WHERE, "channel", _config._int_range(1, 14)(_WHERE, "channel", channel), country)
    out["hops"] = hops
    return out


def _radio_holder():
    # The channel something else holds the radio on: the station's AP, our AP.
    ap = _netman.sta_info()["ap"]
    if ap is not None:
        return "the station's AP", ap["channel"]
    softap = _netman.ap_info()
    if softap["status"] in ("starting", "started"):
        return "our AP", softap["channel"]
    return None, 0


class Sniffer:
    """The radio's promiscuous receiver. Every Sniffer() shares one state
    (the radio has one receiver)."""

    # The options in force, and the frame irecv() and iteration reuse.
    _settings = None
    _frame = None

    def start(self, **options):
        """Start (or restart with new options) receiving: rxbuf (ring bytes),
        snaplen (bytes kept of each frame), types ("mgmt", "ctrl", "data"),
        subtypes (management subtypes, e.g. ("beacon", "probe_req")),
        ctrl_subtypes, channel (None: the radio's channel) or channels (hop
        among them, dwell ms each)."""
        settings = _options(options)
        holder, held = _radio_holder()
        if holder is not None and any(c != held for c in settings["hops"]):
            import netman

            raise netman.NetError("busy", "sniffer: %s holds the radio on channel %d; sniff there (channel=None) "
                                  "or stop it first" % (holder, held))
        _netman.sniffer_start(settings["rxbuf"], settings["snaplen"], settings["type_mask"], settings["subtype_mask"],
                              settings["ctrl_mask"], settings["hops"], settings["dwell"])
        if Sniffer._settings is None or Sniffer._settings["snaplen"] != settings["snaplen"]:
            Sniffer._frame = SnifferFrame(settings["snaplen"])  # as long as the frames kept
        Sniffer._settings = settings

    def stop(self):
        _netman.sniffer_stop()

    def active(self):
        return _netman.sniffer_active()

    def config(self):
        """The options in force (None when never started)."""
        if self._settings is None:
            return None
        return {key: self._settings[key] for key in DEFAULTS}

    def recvinto(self, frame, timeout_ms=0):
        """Read the oldest frame into `frame` (a SnifferFrame): its length
        kept, 0 when none came within timeout_ms (< 0: wait as long as it
        runs). Allocates nothing."""
        got = _netman.sniffer_recvinto(frame)
        if got or timeout_ms == 0:
            return got
        start = time.ticks_ms()
        while _netman.sniffer_active():
            time.sleep_ms(POLL_MS)
            got = _netman.sniffer_recvinto(frame)
            if got:
                return got
            if timeout_ms > 0 and time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
                return 0
        return 0

    def irecv(self, timeout_ms=0):
        """The oldest frame in the sniffer's own SnifferFrame (overwritten by
        the next read), or None."""
        if self._frame is None:
            return None
        return self._frame if self.recvinto(self._frame, timeout_ms) else None

    def any(self):
        return _netman.sniffer_any()

    def stats(self):
        """{"received", "dropped" (the ring was full), "filtered"}"""
        received, dropped, filtered = _netman.sniffer_stats()
        return {"received": received, "dropped": dropped, "filtered": filtered}

    def irq(self, callback):
        """callback(sniffer) once per burst of frames (None: no callback)."""
        _netman.sniffer_irq(callback, self)

    def __iter__(self):
        return self

    def __next__(self):
        # Waits for each frame; ends when the sniffer stops.
        frame = self.irecv(-1)
        if frame is None:
            raise StopIteration
        return frame

    def __aiter__(self):
        return self

    async def __anext__(self):
        import asyncio

        while not _netman.sniffer_any():
            if not _netman.sniffer_active():
                raise StopAsyncIteration
            await asyncio.sleep_ms(POLL_MS)
        return self.irecv()
