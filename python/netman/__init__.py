# netman: one start() call configures the network; callbacks report what
# happens. This facade validates configuration and owns the callbacks; the
# _netman C module owns the driver, the state machine and the event queue.

import _netman

from . import _config

__version__ = "0.1.0"


class NetError(OSError):
    """A network failure; .reason is a short string such as "no_radio"."""

    def __init__(self, reason, message=None):
        super().__init__(message or reason)
        self.reason = reason


class Network:
    """The running network (one at a time): what start() returns."""

    def __repr__(self):
        if _network is not self:
            return "<Network stopped>"
        return "<Network sta=%s>" % _netman.sta_status()

    def sta_status(self):
        return sta_status()

    def stop(self):
        stop()


_network = None
_mac = None
_sta = None  # station settings without the PSK (that lives only in C)
_callbacks = {}


def _call(name, *args):
    cb = _callbacks.get(name)
    if cb is not None:
        cb(*args)


_EVENT_CALLBACKS = {
    _netman.EV_STA_CONNECTED: "connected",
    _netman.EV_STA_DISCONNECTED: "disconnected",
    _netman.EV_STA_BEACON_TIMEOUT: "beacon_timeout",
    # The radio went away: to the application that is a disconnect.
    _netman.EV_RADIO_LOST: "disconnected",
}


def _dispatch(kind, arg):
    # Called by _netman, on the MicroPython thread, once per event, in order.
    if kind == _netman.EV_STA_GOT_IP:
        _call("got_ip", arg)
    else:
        name = _EVENT_CALLBACKS.get(kind)
        if name is not None:
            _call(name)


_netman.init(_dispatch, NetError)


def _require_started():
    if _network is None:
        raise NetError("not_started", "netman is not started")


def _apply_sta(settings):
    global _sta
    merged = dict(_sta or {})
    merged.update(settings)
    merged.pop("psk", None)
    if "dhcp_hostname" not in merged:
        merged["dhcp_hostname"] = "mpy-" + "".join("%02x" % b for b in _mac)
    _netman.sta_config(merged.get("ssid", b""), settings.get("psk"), merged["dhcp_hostname"])
    _sta = merged
    for name in _config.STA_CALLBACKS:
        _callbacks[name] = merged.get(name)
    # AtomVM: with no disconnected callback the driver reconnects by itself.
    _netman.sta_auto_reconnect(_callbacks["disconnected"] is None)


def start(config=None, **sections):
    """Start the network from keyword sections, one dict, or a property list."""
    global _network, _mac
    if _network is not None:
        raise NetError("already_started", "netman is already started; call netman.stop() first")
    cfg = _config.network_config(config, sections)
    _mac = _netman.open()
    try:
        sta = cfg["sta"]
        _apply_sta(sta)
        _network = Network()
        if not sta.get("managed"):
            _netman.sta_connect()
    except BaseException:
        stop()
        raise
    return _network


def stop():
    """Stop the network and forget its configuration and callbacks."""
    global _network, _sta
    _netman.close()
    _network = None
    _sta = None
    _callbacks.clear()


def sta_status():
    """'inactive', 'disconnected', 'connecting', 'associated', 'connected', 'degraded' or 'disconnecting'."""
    return _netman.sta_status()


def sta_connect(config=None, **sta):
    """Join the configured AP, or a new one: given values replace, the rest stays."""
    _require_started()
    if config is not None or sta:
        if config is not None and sta:
            raise TypeError("sta_connect: give one config or keywords, not both")
        _apply_sta(_config.sta_section(config if config is not None else sta))
    _netman.sta_connect()


def sta_disconnect():
    """Leave the AP; status goes 'disconnecting' then 'disconnected'."""
    _require_started()
    _netman.sta_disconnect()


def stats():
    """Event and connection counters (see the README)."""
    return _netman.stats()


def info():
    """What the station knows now: MAC, hostname, reason of the last disconnect."""
    _require_started()
    return {
        "mac": _mac,
        "hostname": _sta["dhcp_hostname"],
        "disconnect_reason": _netman.last_reason(),
    }
