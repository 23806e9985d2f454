# ESP-NOW for netman: MicroPython's `espnow` module (ports/esp32/modespnow.c
# and modules/espnow.py, v1.28.0) with the receive ring in C (_netman):
# the same methods, arguments, return values, errors in the same order, and
# one shared state however many ESPNow/AIOESPNow objects a program makes.
# irecv(), recvinto() and iteration allocate nothing for a known sender.
# ESP-NOW needs the radio on: netman.start(...) or network.WLAN(...).active(True).

import io
import time

import _netman

from ._config import espnow_rxbuf

MAX_DATA_LEN = 250
KEY_LEN = 16
ADDR_LEN = 6
MAX_TOTAL_PEER_NUM = 20
MAX_ENCRYPT_PEER_NUM = 6

# ESP-IDF's wifi_phy_rate_t values, as MicroPython exports them (long
# preamble for the 802.11b rates).
RATE_1M = 0x00
RATE_2M = 0x01
RATE_5M = 0x02
RATE_11M = 0x03
RATE_24M = 0x09
RATE_12M = 0x0A
RATE_6M = 0x0B
RATE_54M = 0x0C
RATE_LORA_250K = 0x29
RATE_LORA_500K = 0x2A

_ETIMEDOUT = 110
_STREAM_POLL = 3
_POLLIN = 1
_POLLOUT = 4
# How long a synchronous send waits for the radio's verdict on earlier frames.
_RESPONSE_WAIT_MS = 1000
_NOTHING = (None, None)
_ABSENT = object()


class _State:
    # What MicroPython's one native singleton holds; shared by every ESPNow
    # and AIOESPNow object.
    rxbuf = 526  # two 250-byte frames with their headers
    timeout_ms = 300000


def _int(value):
    # mp_obj_get_int(): ints and bools, TypeError for anything else.
    if not isinstance(value, int):
        raise TypeError("can't convert %s to int" % type(value).__name__)
    return int(value)


def _require_active():
    if not _netman.espnow_active(None):
        raise OSError(-0x3065, "ESP_ERR_ESPNOW_NOT_INIT")


def _wait_for_responses():
    # Until every frame sent so far has its verdict (modespnow.c,
    # _wait_for_pending_responses, which gives up after 100 ms).
    start = time.ticks_ms()
    while True:
        tx_packets, tx_responses = _netman.espnow_stats()[:2]
        if tx_responses >= tx_packets:
            return
        if time.ticks_diff(time.ticks_ms(), start) > _RESPONSE_WAIT_MS:
            raise OSError(_ETIMEDOUT)
        time.sleep_ms(1)


class ESPNow(io.IOBase):
    """The ESP-NOW interface. Every ESPNow() shares one state, as
    MicroPython's singleton does."""

    # Reused by irecv() and iteration: [peer, msg].
    _data = [None, bytearray(MAX_DATA_LEN)]
    _none_tuple = _NOTHING

    def __init__(self):
        if not _netman.ESPNOW_RADIO:
            raise OSError(19, "ESP-NOW: this board's radio has no ESP-NOW (ENODEV)")

    @property
    def peers_table(self):
        return _netman.espnow_peers_table()

    # ---- configuration ----

    def active(self, flag=None):
        if flag is not None:
            _netman.espnow_active(_State.rxbuf if flag else 0)
        return _netman.espnow_active(None)

    def config(self, *param, **values):
        if len(param) > 1:
            raise TypeError("function takes 2 positional arguments but %d were given" % (len(param) + 1))
        for name in values:
            if name not in ("rxbuf", "timeout_ms", "rate"):
                raise TypeError("unexpected keyword argument '%s'" % name)
        given = {name: _int(value) for name, value in values.items()}
        if "rxbuf" in given:
            rxbuf = espnow_rxbuf("config", "rxbuf", given["rxbuf"])
        if "rate" in given:
            _netman.espnow_rate(given["rate"])  # OSError(ENOENT) with the radio off
        if "rxbuf" in given:
            _State.rxbuf = rxbuf  # takes effect at the next active(True)
        if "timeout_ms" in given:
            _State.timeout_ms = given["timeout_ms"]
        if not param:
            return None
        if param[0] == "rxbuf":
            return _State.rxbuf
        if param[0] == "timeout_ms":
            return _State.timeout_ms
        raise ValueError("unknown config param")

    # ---- sending ----

    def send(self, mac, msg=_ABSENT, sync=None):
        if msg is _ABSENT:  # send(msg): to every peer, synchronously
            mac, msg = None, mac
        _require_active()
        sync = sync is None or bool(sync)
        if sync:
            _wait_for_responses()
        failures = _netman.espnow_stats()[2]
        # A false mac means every peer (modespnow.c, _get_peer).
        _netman.espnow_send(mac if mac else None, msg)
        if sync:
            _wait_for_responses()
        return not (sync and _netman.espnow_stats()[2] != failures)

    # ---- receiving ----

    def recvinto(self, data, timeout_ms=None):
        _require_active()
        timeout_ms = _State.timeout_ms if timeout_ms is None else _int(timeout_ms)
        length = _netman.espnow_recvinto(data)
        if length or timeout_ms == 0:
            return length
        start = time.ticks_ms()
        while True:
            time.sleep_ms(1)
            length = _netman.espnow_recvinto(data)
            if length:
                return length
            if timeout_ms > 0 and time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
                return 0

    def irecv(self, timeout_ms=None):
        n = self.recvinto(self._data, timeout_ms)
        return self._data if n else self._none_tuple

    def recv(self, timeout_ms=None):
        n = self.recvinto(self._data, timeout_ms)
        return [bytes(x) for x in self._data] if n else self._none_tuple

    def any(self):
        return _netman.espnow_any()

    def stats(self):
        return _netman.espnow_stats()

    def __iter__(self):
        return self

    def __next__(self):
        return self.irecv()

    def irq(self, callback):
        _netman.espnow_irq(callback, self)

    def ioctl(self, request, arg):
        # select.poll() and asyncio: readable when a frame waits, writable
        # when no send is waiting for its verdict (modespnow.c, espnow_stream_ioctl).
        if request != _STREAM_POLL:
            return -1
        if not _netman.espnow_active(None):
            return 0
        ready = 0
        if _netman.espnow_any():
            ready |= _POLLIN
        tx_packets, tx_responses = _netman.espnow_stats()[:2]
        if tx_responses >= tx_packets:
            ready |= _POLLOUT
        return arg & ready

    # ---- peers ----

    def set_pmk(self, pmk):
        _netman.espnow_set_pmk(pmk)

    def add_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        if not mac:  # MicroPython dereferences NULL here
            raise ValueError("invalid buffer length")
        self._set_peer(True, mac, [mac, None, 0, 0, False], lmk, channel, ifidx, encrypt)

    def mod_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        current = list(self.get_peer(mac))
        self._set_peer(False, mac, current, lmk, channel, ifidx, encrypt)

    @staticmethod
    def _set_peer(add, mac, peer, lmk, channel, ifidx, encrypt):
        # modespnow.c, _update_peer_info(): None keeps a value; a false lmk
        # turns encryption off, a true one must be a 16-byte key.
        _, key, chan, index, crypt = peer
        if lmk is not None:
            crypt = bool(lmk)
            if crypt:
                key = lmk  # _netman checks it is 16 bytes
        if channel is not None:
            chan = _int(channel)
        if ifidx is not None:
            index = _int(ifidx)
        if encrypt is not None:
            crypt = bool(encrypt)
        _netman.espnow_peer(add, mac, key, chan, index, crypt)

    def get_peer(self, mac):
        return _netman.espnow_get_peer(mac)

    def get_peers(self):
        return _netman.espnow_get_peers()

    def del_peer(self, mac):
        _netman.espnow_del_peer(mac)

    def peer_count(self):
        return _netman.espnow_peer_count()
