# ESP-NOW for netman: the same API as MicroPython's `espnow` module (see its
# documentation), with the receive ring in C (_netman): irecv(), recvinto()
# and iteration allocate nothing. ESP-NOW needs the radio: start netman
# (any mode, e.g. netman.start(sta={"managed": True})) before active(True).

import io
import time

import _netman

MAX_DATA_LEN = 250
KEY_LEN = 16
ADDR_LEN = 6
MAX_TOTAL_PEER_NUM = 20
MAX_ENCRYPT_PEER_NUM = 6

_ERR_BASE = 0x3064  # ESP-IDF's ESP_ERR_ESPNOW_BASE
_DEFAULT_RXBUF = 526
_DEFAULT_TIMEOUT_MS = 300000
_STREAM_POLL = 3
_POLLIN = 1
_NOTHING = (None, None)


def _error(offset, name):
    return OSError(_ERR_BASE + offset, name)


def _bytes(value, what):
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError("%s: must be bytes, bytearray or str, not %s" % (what, type(value).__name__))
    return value


def _mac(value):
    value = _bytes(value, "mac")
    if len(value) != ADDR_LEN:
        raise ValueError("mac: must be %d bytes, got %d" % (ADDR_LEN, len(value)))
    return bytes(value)


def _key(value, what):
    # AtomVM/espnow: any value that is not True-ish means "no key".
    if not value:
        return None
    value = _bytes(value, what)
    if len(value) != KEY_LEN:
        raise ValueError("%s: must be %d bytes, got %d" % (what, KEY_LEN, len(value)))
    return bytes(value)


class ESPNow(io.IOBase):
    """The ESP-NOW interface (a singleton, as in MicroPython's espnow)."""

    _instances = {}  # one per class (ESPNow, AIOESPNow); all share the one radio

    def __new__(cls):
        if not _netman.ESPNOW_RADIO:
            raise OSError(19, "ESP-NOW: this board's radio has no ESP-NOW (ENODEV)")
        instance = ESPNow._instances.get(cls)
        if instance is None:
            instance = super().__new__(cls)
            instance._setup()
            ESPNow._instances[cls] = instance
        return instance

    def _setup(self):
        self._rxbuf = _DEFAULT_RXBUF
        self._timeout_ms = _DEFAULT_TIMEOUT_MS
        self.peers_table = {}
        # Reused by irecv()/iteration: [peer, msg, rssi, time_ms].
        self._data = [None, bytearray(MAX_DATA_LEN), 0, 0]
        self._pair = [None, None]

    # ---- configuration ----

    def active(self, flag=None):
        if flag is None:
            return _netman.espnow_active(None)
        _netman.espnow_active(self._rxbuf if flag else 0)
        if not flag:
            self.peers_table.clear()
        return bool(flag)

    def config(self, *param, **values):
        if param:
            if values or len(param) != 1:
                raise TypeError("config: give one parameter name to read, or keywords to set")
            name = param[0]
            if name == "rxbuf":
                return self._rxbuf
            if name == "timeout_ms":
                return self._timeout_ms
            if name == "rate":
                raise ValueError("config: 'rate' can be set but not read")
            raise ValueError("config: unknown parameter %r; valid: rxbuf, timeout_ms, rate" % (name,))
        for name, value in values.items():
            if name not in ("rxbuf", "timeout_ms", "rate") or not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("config: %s=%r; valid: rxbuf (bytes), timeout_ms, rate (ints)" % (name, value))
        if "rxbuf" in values:
            if values["rxbuf"] < _netman.espnow_min_rxbuf():
                raise ValueError("config: rxbuf must hold at least one frame: %d bytes" % _netman.espnow_min_rxbuf())
            self._rxbuf = values["rxbuf"]  # takes effect at the next active(True)
        if "timeout_ms" in values:
            self._timeout_ms = values["timeout_ms"]
        # "rate" (a wifi_phy_rate_t) is accepted and checked; the host build's
        # air has no PHY rates, so it changes nothing there.

    # ---- sending ----

    def send(self, mac, msg=None, sync=None):
        pending = self._begin_send(mac, msg, sync)
        if pending is None:
            return True
        while True:
            done = self._send_done(pending)
            if done is not None:
                return done
            time.sleep_ms(1)

    def _begin_send(self, mac, msg, sync):
        # Hand the frames over; what to wait for (None: not waiting).
        if msg is None:  # send(msg): to all peers, synchronously
            mac, msg, sync = None, mac, True
        before = _netman.espnow_stats()
        count = self._send_frames(mac, msg)
        if sync is False:
            return None
        return before, count, time.ticks_add(time.ticks_ms(), 1000)

    @staticmethod
    def _send_done(pending):
        # None while acknowledgements are outstanding; then whether every
        # peer responded.
        before, count, deadline = pending
        now = _netman.espnow_stats()
        if now[5] - before[5] >= count:
            return now[1] - before[1] == count
        if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            return False
        return None

    def _send_frames(self, mac, msg):
        # Hand the frames to the radio; returns how many completions to expect.
        msg = _bytes(msg, "msg")
        if not 1 <= len(msg) <= MAX_DATA_LEN:
            raise ValueError("msg: must be 1 to %d bytes, got %d" % (MAX_DATA_LEN, len(msg)))
        if mac is None:
            targets = [p[0] for p in self.get_peers() if not p[0][0] & 1]  # no broadcast/multicast
        else:
            targets = [_mac(mac)]
        for target in targets:
            _netman.espnow_send(target, msg)
        return len(targets)

    # ---- receiving ----

    def recvinto(self, data, timeout_ms=None):
        if not _netman.espnow_active(None):
            raise _error(1, "ESP_ERR_ESPNOW_NOT_INIT")
        if timeout_ms is None:
            timeout_ms = self._timeout_ms
        if not isinstance(timeout_ms, int):
            raise ValueError("timeout_ms: must be an int (ms; 0: do not wait, < 0: wait forever)")
        length = _netman.espnow_recvinto(data, self.peers_table)
        if length or timeout_ms == 0:
            return length
        start = time.ticks_ms()
        while True:
            time.sleep_ms(1)
            length = _netman.espnow_recvinto(data, self.peers_table)
            if length:
                return length
            if timeout_ms > 0 and time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
                return 0

    def irecv(self, timeout_ms=None):
        if not self.recvinto(self._data, timeout_ms):
            return _NOTHING
        self._pair[0] = self._data[0]
        self._pair[1] = self._data[1]
        return self._pair

    def recv(self, timeout_ms=None):
        if not self.recvinto(self._data, timeout_ms):
            return _NOTHING
        return [self._data[0], bytes(self._data[1])]

    def any(self):
        return _netman.espnow_any()

    def stats(self):
        return _netman.espnow_stats()[:5]

    def __iter__(self):
        return self

    def __next__(self):
        return self.irecv()

    def irq(self, callback):
        _netman.espnow_irq(callback, self)

    def ioctl(self, request, arg):
        # select.poll() support: readable when a frame waits in the ring.
        if request == _STREAM_POLL:
            return arg & _POLLIN if _netman.espnow_any() else 0
        return -1

    # ---- peers ----

    def set_pmk(self, pmk):
        _netman.espnow_set_pmk(_key(pmk, "pmk") or b"")

    def add_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        mac, lmk = _mac(mac), _key(lmk, "lmk")
        _netman.espnow_peer(True, mac, lmk, *self._peer_options(lmk, channel, ifidx, encrypt))

    def mod_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        _, old_lmk, old_channel, old_ifidx, old_encrypt = self.get_peer(mac)
        lmk = _key(lmk, "lmk") if lmk is not None else (old_lmk or None)
        channel = old_channel if channel is None else channel
        ifidx = old_ifidx if ifidx is None else ifidx
        encrypt = old_encrypt if encrypt is None and lmk == (old_lmk or None) else encrypt
        _netman.espnow_peer(False, _mac(mac), lmk, *self._peer_options(lmk, channel, ifidx, encrypt))

    @staticmethod
    def _peer_options(lmk, channel, ifidx, encrypt):
        channel = 0 if channel is None else channel
        ifidx = 0 if ifidx is None else ifidx
        if not isinstance(channel, int) or not 0 <= channel <= 14:
            raise ValueError("channel: must be 0 to 14")
        if ifidx not in (0, 1):
            raise ValueError("ifidx: must be 0 (STA) or 1 (AP)")
        encrypt = lmk is not None if encrypt is None else bool(encrypt)
        return channel, ifidx, encrypt

    def get_peer(self, mac):
        return _netman.espnow_get_peer(_mac(mac))

    def get_peers(self):
        return _netman.espnow_get_peers()

    def del_peer(self, mac):
        _netman.espnow_del_peer(_mac(mac))

    def peer_count(self):
        peers = self.get_peers()
        return (len(peers), sum(1 for p in peers if p[4]))
