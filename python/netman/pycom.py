# Pycom's promiscuous-mode names on netman (Pycom's network.WLAN docs):
# promiscuous(), callback(trigger=...), events(), wifi_packet(),
# ctrl_pkt_filter(), channel() and send_raw(), so that a Pycom sniffer runs
# after changing its import and starting netman:
#
#     from netman.pycom import WLAN
#     netman.start(sta={"managed": True})
#     wlan = WLAN()
#     wlan.callback(trigger=WLAN.EVENT_PKT_MGMT, handler=pack_cb)
#     wlan.promiscuous(True)
#
# The handler runs once per received frame (scheduled, per burst, from
# netman.sniffer's ring), and wifi_packet() is that frame. Unlike netman's
# own reads these allocate (a tuple and the frame's bytes each time).

import netman

from . import sniffer

_FIELDS = ("rssi", "rate", "sig_mode", "mcs", "cwb", "aggregation", "stbc", "fec_coding", "sgi", "noise_floor",
           "ampdu_cnt", "channel", "sec_channel", "time_stamp", "ant", "sig_len", "rx_state", "data")


class Packet:
    """wifi_packet()'s answer: Pycom's fields by name or index (those the
    radio does not report here are 0)."""

    def __init__(self, frame):
        values = dict.fromkeys(_FIELDS, 0)
        values.update(rssi=frame.rssi, channel=frame.channel, time_stamp=frame.time_ms, sig_len=frame.length,
                      data=bytes(frame.data))
        self._values = tuple(values[name] for name in _FIELDS)
        for name, value in zip(_FIELDS, self._values):
            setattr(self, name, value)

    def __getitem__(self, index):
        return self._values[index]

    def __len__(self):
        return len(self._values)


class WLAN:
    STA, AP, STA_AP = 1, 2, 3
    # Pycom's triggers (modwlan.h, MOD_WLAN_TRIGGER_PKT_*).
    EVENT_PKT_MGMT, EVENT_PKT_CTRL, EVENT_PKT_DATA, EVENT_PKT_MISC = 0x01, 0x02, 0x04, 0x08
    EVENT_PKT_DATA_MPDU, EVENT_PKT_DATA_AMPDU, EVENT_PKT_ANY = 0x10, 0x20, 0x3F
    # ESP-IDF's WIFI_PROMIS_CTRL_FILTER_MASK_* (bit 16 + the control subtype).
    FILTER_CTRL_PKT_ALL = 0xFF800000
    FILTER_CTRL_PKT_WRAPPER, FILTER_CTRL_PKT_BAR, FILTER_CTRL_PKT_BA = 1 << 23, 1 << 24, 1 << 25
    FILTER_CTRL_PKT_PSPOLL, FILTER_CTRL_PKT_RTS, FILTER_CTRL_PKT_CTS = 1 << 26, 1 << 27, 1 << 28
    FILTER_CTRL_PKT_ACK, FILTER_CTRL_PKT_CFEND, FILTER_CTRL_PKT_CFENDACK = 1 << 29, 1 << 30, 1 << 31

    # One radio, one state for every WLAN().
    _trigger = 0
    _handler = None
    _arg = None
    _events = 0
    _packet = None
    _ctrl_filter = FILTER_CTRL_PKT_ALL
    _channel = None

    def __init__(self, *args, **kwargs):
        # Pycom's constructor configures the radio; netman.start() does here.
        if args or kwargs:
            raise TypeError("WLAN(): start the radio with netman.start(); this WLAN takes no arguments")

    def promiscuous(self, enable=None):
        """Whether promiscuous mode is on; True / False turns it on or off."""
        if enable is None:
            return sniffer.Sniffer().active()
        if enable:
            self._restart()
        else:
            sniffer.Sniffer().stop()
        return None

    def callback(self, trigger, handler=None, arg=None):
        """handler(arg) (arg defaults to this WLAN) for every frame of the
        trigger's types; no handler removes it."""
        if not isinstance(trigger, int) or not 0 <= trigger <= WLAN.EVENT_PKT_ANY:
            raise ValueError("callback: trigger must be EVENT_PKT_* bits (0 to 0x3F)")
        if handler is not None and not callable(handler):
            raise TypeError("callback: handler must be callable or None")
        WLAN._trigger = trigger if handler is not None else 0
        WLAN._handler = handler
        WLAN._arg = self if arg is None else arg
        if sniffer.Sniffer().active():
            self._restart()

    def events(self):
        """The EVENT_PKT_* bits of the frames seen since the last call."""
        events, WLAN._events = WLAN._events, 0
        return events

    def wifi_packet(self):
        """The frame the callback runs for: a Packet (rssi, ..., channel, ...,
        time_stamp, ..., sig_len, ..., data)."""
        return WLAN._packet

    def ctrl_pkt_filter(self, mask=None):
        """The control subtypes passed on (FILTER_CTRL_PKT_* bits)."""
        if mask is None:
            return WLAN._ctrl_filter
        if not isinstance(mask, int) or mask & ~WLAN.FILTER_CTRL_PKT_ALL or not mask:
            raise ValueError("ctrl_pkt_filter: mask must be FILTER_CTRL_PKT_* bits")
        WLAN._ctrl_filter = mask
        if sniffer.Sniffer().active():
            self._restart()
        return None

    def channel(self, channel=None, sec_channel=None):
        """The channel promiscuous mode listens on; setting it needs promiscuous mode (as Pycom's)."""
        if channel is None:
            return netman.info()["ap"]["channel"] if netman.info()["ap"] else (WLAN._channel or 1)
        if not sniffer.Sniffer().active():
            raise OSError("Wifi is not in promiscuous mode!")
        WLAN._channel = channel
        self._restart()
        return None

    def send_raw(self, Buffer, interface=None, use_sys_seq=True):
        """A raw 802.11 frame, 24 to 1500 bytes (the driver numbers it)."""
        netman.send_raw(Buffer)

    def _restart(self):
        types = [name for name, bit in (("mgmt", WLAN.EVENT_PKT_MGMT), ("ctrl", WLAN.EVENT_PKT_CTRL),
                                        ("data", WLAN.EVENT_PKT_DATA | WLAN.EVENT_PKT_DATA_MPDU
                                         | WLAN.EVENT_PKT_DATA_AMPDU)) if WLAN._trigger & bit]
        ctrl = [name for name, number in sniffer.CTRL_SUBTYPES.items()
                if WLAN._ctrl_filter & (1 << (16 + number))]
        sniff = sniffer.Sniffer()
        sniff.start(types=tuple(types or ("mgmt", "ctrl", "data")), ctrl_subtypes=tuple(ctrl),
                    channel=WLAN._channel, snaplen=1500, rxbuf=16384)
        sniff.irq(_deliver)


def _deliver(sniff):
    # Once per burst: the Pycom handler once per frame.
    while True:
        frame = sniff.irecv()
        if frame is None:
            return
        event = (WLAN.EVENT_PKT_MGMT, WLAN.EVENT_PKT_CTRL, WLAN.EVENT_PKT_DATA)[frame.type]
        WLAN._events |= event
        if WLAN._handler is None or not WLAN._trigger & (event | (WLAN.EVENT_PKT_DATA_MPDU
                                                                  | WLAN.EVENT_PKT_DATA_AMPDU
                                                                  if event == WLAN.EVENT_PKT_DATA else 0)):
            continue
        WLAN._packet = Packet(frame)
        WLAN._handler(WLAN._arg)
