# netman: one start() call configures the network; callbacks report what
# happens. This facade validates configuration and owns the callbacks; the
# _netman C module owns the driver, the state machine and the event queue.

import _netman

from . import _config

__version__ = "0.1.0"

MAX_SCAN_RESULTS = _netman.MAX_SCAN_RESULTS


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
        return "<Network sta=%s ap=%s>" % (_netman.sta_status(), _netman.ap_info()["status"])

    def sta_status(self):
        return sta_status()

    def stop(self):
        stop()


_network = None
_mac = None
_sta = None  # station settings without the PSK (that lives only in C)
_ap = None  # access-point settings without the PSK
_mdns_hostname = None
_portal = None  # the provisioning Provisioner (netman.portal), if any
_callbacks = {}
# The scan in flight: who gets its result ("callback" or "wait") and how many networks.
_scan = {"mode": None, "results": 0}


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
    _netman.EV_AP_STARTED: "ap_started",
    _netman.EV_AP_STA_CONNECTED: "sta_connected",
    _netman.EV_AP_STA_DISCONNECTED: "sta_disconnected",
    _netman.EV_AP_STA_IP_ASSIGNED: "sta_ip_assigned",
    _netman.EV_SNTP_SYNC: "synchronized",
}
# Callbacks that take the event's argument (the others take none).
_WITH_ARG = ("got_ip", "sta_connected", "sta_disconnected", "sta_ip_assigned", "synchronized")


def _scan_result():
    # (found, networks) of the finished scan, or the NetError it ended with.
    try:
        return _netman.scan_take(_scan["results"])
    except NetError as error:
        return error
    finally:
        _scan["mode"] = None


_EVENT_CALLBACKS[_netman.EV_STA_GOT_IP] = "got_ip"


def _roaming():
    # Roam among known networks: a `networks` list, and the application left
    # reconnecting to the driver (no disconnected callback).
    return _sta is not None and "networks" in _sta and _callbacks.get("disconnected") is None


def _stored_pairs():
    # The stored {kind: (ssid, psk)}, in bytes (netman.credentials loads on first use).
    from . import credentials

    return credentials._pairs()


def _known_networks():
    known = list(_sta["networks"])
    stored = _stored_pairs().get("sta")
    if stored is not None:
        known.append(stored)
    return known


def _roam():
    # Scan, then join the strongest known network in sight (_roam_scanned);
    # with a pinned BSSID, only that AP.
    if _scan["mode"] is not None:
        return  # the application's scan runs, or its result waits for it: the next disconnect roams
    try:
        _netman.scan_start(False, False, _config.SCAN_DEFAULTS["dwell"], 0, b"", _sta.get("bssid"))
    except NetError:
        return  # a scan runs already (the application's): the next disconnect roams
    _scan["mode"] = "roam"
    _scan["results"] = MAX_SCAN_RESULTS


def _roam_scanned(result):
    if _network is None or "networks" not in _sta:
        return
    if not isinstance(result, NetError):
        known = _known_networks()
        for network in result[1]:  # strongest first (the pinned AP alone, if any)
            for ssid, psk in known:
                if network["ssid_bytes"] == ssid:
                    _apply_sta({"ssid": ssid, "psk": psk, "bssid": _sta.get("bssid")})
                    _netman.sta_connect()
                    return
    # Nothing known in sight: look again (a scan takes long enough not to hammer).
    _roam()


def _dispatch(kind, arg):
    # Called by _netman, on the MicroPython thread, once per event, in order.
    if kind == _netman.EV_TICK:
        if _portal is not None:
            _portal.step()
        return
    if kind == _netman.EV_SCAN_DONE:
        # A blocking or asyncio wifi_scan() takes its own result.
        if _scan["mode"] == "callback":
            _call("scan_done", _scan_result())
        elif _scan["mode"] == "roam":
            _roam_scanned(_scan_result())
        return
    if kind == _netman.EV_STA_DISCONNECTED and arg != "by_request" and _roaming():
        _roam()
    elif kind == _netman.EV_MDNS_NAME:
        _mdns_renamed(arg)
    name = _EVENT_CALLBACKS.get(kind)
    if name in _WITH_ARG:
        _call(name, arg)
    elif name is not None:
        _call(name)


_netman.init(_dispatch, NetError)


def _held(call):
    # Callbacks wait while `call` reads and changes the running network: one
    # that stops it must not do so halfway through (they run as soon as the
    # call is done). Not for waits: callbacks run while wait_for_* wait.
    def held(*args, **kwargs):
        _netman.hold(True)
        try:
            return call(*args, **kwargs)
        finally:
            _netman.hold(False)

    return held


def _require_started():
    if _network is None:
        raise NetError("not_started", "netman is not started")


def _require_sta():
    _require_started()
    if _sta is None:
        raise NetError("unsupported", "the running network has no station (start netman with an 'sta' section)")


def _default_name():
    return "mpy-" + "".join("%02x" % b for b in _mac)


def _apply_sta(settings):
    global _sta
    merged = dict(_sta or {})
    settings = dict(settings)
    # A BSSID pins an AP of its SSID, and 802.1X credentials are for it:
    # another SSID given alone drops both.
    if "ssid" in settings and settings["ssid"] != merged.get("ssid"):
        for pinned in ("bssid", "eap"):
            if pinned not in settings:
                settings[pinned] = None
    if settings.get("psk") and "eap" not in settings:
        settings["eap"] = None  # a PSK ends 802.1X
    psk = settings.get("psk")
    if "eap" in settings:
        _apply_eap(settings["eap"])
        if settings["eap"] is not None:
            psk = b""  # an 802.1X network has no PSK
    merged.update(settings)
    merged.pop("psk", None)
    for pinned in ("bssid", "eap"):
        if merged.get(pinned, 0) is None:
            del merged[pinned]
    if "dhcp_hostname" not in merged:
        merged["dhcp_hostname"] = _default_name()
    _netman.sta_config(merged.get("ssid", b""), psk, merged["dhcp_hostname"], merged.get("ip"),
                       merged.get("bssid"))
    if "channel" in settings:
        _netman.set_channel(settings["channel"])
    _sta = merged
    for name in _config.STA_CALLBACKS:
        _callbacks[name] = merged.get(name)
    # AtomVM: with no disconnected callback the driver reconnects by itself
    # (to the same AP; roaming among `networks` is done here, on scans).
    initial_ms, max_ms = merged.get("reconnect", (0, 0))
    _netman.sta_reconnect_policy(_callbacks["disconnected"] is None and not _roaming(), initial_ms, max_ms)


def _apply_eap(eap):
    # The credentials go to C; the facade keeps only what is not secret
    # (method, identity, username), in the settings it returns to _sta.
    if eap is None:
        _netman.sta_eap(0, None, None, None, None, None, None, None)
        return
    _netman.sta_eap(_config.EAP_METHODS[eap["method"]], eap["identity"], eap.get("username"), eap.get("password"),
                    eap.get("ca_cert"), eap.get("client_cert"), eap.get("client_key"), eap.get("client_key_password"))
    for secret in ("password", "client_key", "client_key_password", "ca_cert", "client_cert"):
        eap.pop(secret, None)


def _apply_sntp(settings):
    _netman.sntp_config(settings["host"], settings["port"], settings["sync_interval"] * 1000)
    _callbacks["synchronized"] = settings.get("synchronized")


def _apply_mdns(settings):
    global _mdns_hostname
    _mdns_hostname = settings.get("hostname") or _sta["dhcp_hostname"]
    _netman.mdns_config(_mdns_hostname, settings["ttl"], settings["services"])


def _mdns_renamed(suffix):
    if suffix >= 2:
        print("netman: mDNS name '%s.local' is taken; answering as '%s-%d.local'" % (_mdns_hostname, _mdns_hostname, suffix))


def _radio_settings():
    settings = _netman.radio_get()
    settings["hostname"] = _sta["dhcp_hostname"] if _sta else None
    return settings


def _apply_radio(settings):
    # Everything is checked against what is in force before the driver is
    # touched: a refused change changes nothing.
    current = _netman.radio_get()
    protocol = settings.get("protocol")
    if protocol is None:
        protocol = sum(_config.PROTOCOL_BITS[name] for name in current["protocol"])
    if settings.get("bandwidth", current["bandwidth"]) == 40 and not protocol & _config.PROTOCOL_BITS["n"]:
        raise ValueError("radio: a 40 MHz 'bandwidth' needs 'n' in 'protocol' (set bandwidth=20 with it)")
    country = settings.get("country")
    if country is not None:
        channels = _netman.country_channels(country)
        sta_ap = _netman.sta_info()["ap"]
        for what, channel in (("the station's AP", sta_ap["channel"] if sta_ap else 0),
                              ("our AP", _netman.ap_info()["channel"] if _ap is not None else 0)):
            if channel > channels:
                raise ValueError("radio: 'country' %s allows channels 1 to %d, but %s is on channel %d"
                                 % (country, channels, what, channel))
    if "hostname" in settings and _sta is None:
        raise NetError("unsupported", "radio: 'hostname' is the name the station's DHCP sends; "
                       "the running network has no station")
    _netman.radio_set(settings.get("txpower"), country, settings.get("power_save"), settings.get("protocol"),
                      settings.get("bandwidth"))
    if "hostname" in settings:
        _apply_sta({"dhcp_hostname": settings["hostname"]})


def send_raw(frame):
    """Send a raw 802.11 frame (24 to 1500 bytes, no FCS) on the radio's
    channel; the driver sets the sequence number. NetError("unsupported")
    where the driver cannot (rp2)."""
    _require_started()
    _netman.send_raw(frame)


@_held
def radio(**settings):
    """Change the radio settings given (txpower in dBm, country, power_save
    "none"/"min"/"max", protocol like ("b", "g", "n"), bandwidth 20/40 MHz,
    hostname) and return the settings in force; with no argument, just read
    them. A refused change changes nothing: ValueError for a value out of
    range, NetError("unsupported") for one the board's driver cannot honour."""
    _require_started()
    if settings:
        _apply_radio(_config.radio_section(settings))
    return _radio_settings()


def _start_ap(settings, psk=None):
    # Start our AP, or change the running one: psk None keeps its PSK (the
    # C module has it), b"" makes it open.
    global _ap
    settings = dict(settings)
    settings.setdefault("ssid", _default_name().encode())
    psk = settings.pop("psk", psk)
    if psk is None and _ap is None:
        psk = b""
        print("netman: warning: access point %r is an open network (no psk)" % _config.text_or_bytes(settings["ssid"]))
    for name in _config.AP_CALLBACKS:
        _callbacks[name] = settings.get(name)
    _netman.ap_start(settings["ssid"], psk, settings["ap_channel"], settings["ssid_hidden"],
                     settings["max_connections"])
    settings["open"] = psk == b"" if psk is not None else _ap["open"]
    _ap = settings


def _stop_ap():
    global _ap
    _netman.ap_stop()
    _ap = None
    for name in _config.AP_CALLBACKS:
        _callbacks.pop(name, None)


def _start_espnow(settings):
    # AtomVM style: ESP-NOW comes up with the network; recv(mac, msg) gets
    # every frame (drained per burst from the C ring).
    from .espnow import ESPNow

    espnow = ESPNow()
    espnow.config(rxbuf=settings["rxbuf"])
    espnow.active(True)
    recv = settings.get("recv")
    if recv is not None:

        def drain(e):
            # A recv that raises is reported and counted; the burst goes on,
            # unless a recv stopped ESP-NOW (or the network).
            while _netman.espnow_active(None):
                mac, msg = e.irecv(0)
                if mac is None:
                    return
                _netman.espnow_deliver(recv, mac, bytes(msg))

        espnow.irq(drain)


@_held
def start(config=None, **sections):
    """Start the network from keyword sections, one dict, or a property list:
    `sta` starts station mode, `ap` access-point mode, both STA+AP."""
    global _network, _mac, _portal
    if _network is not None:
        raise NetError("already_started", "netman is already started; call netman.stop() first")
    cfg = _config.network_config(config, sections)
    modes = [kind for kind in ("sta", "ap") if kind in cfg]
    stored = _stored_pairs() if any("ssid" not in cfg[kind] for kind in modes) else {}
    for kind in modes:
        cfg[kind] = _config.fill_credentials(cfg[kind], stored.get(kind))
    sta = cfg.get("sta")
    if (sta is not None and "ssid" not in sta and "networks" not in sta and not sta.get("managed")
            and "provision" not in cfg):
        raise ValueError("sta: 'ssid' is required unless 'managed' is set or credentials are stored "
                         "(netman.credentials.store)")
    try:
        _mac = _netman.open()
        _network = Network()
        sta = cfg.get("sta")
        radio_settings = cfg.get("radio", {})
        if sta is not None:
            if "hostname" in radio_settings:
                sta = dict(sta, dhcp_hostname=radio_settings.pop("hostname"))
            _apply_sta(sta)
        if radio_settings:
            _apply_radio(radio_settings)
        if "sntp" in cfg:
            _apply_sntp(cfg["sntp"])
        if "mdns" in cfg:
            _apply_mdns(cfg["mdns"])
        if "ap" in cfg:
            _start_ap(cfg["ap"])
        if "espnow" in cfg:
            _start_espnow(cfg["espnow"])
        if "provision" in cfg:
            from .portal import Provisioner

            home = (sta["ssid"], sta.get("psk", b"")) if "ssid" in sta else None
            _portal = Provisioner(cfg["provision"], _mac, home)
        if sta is not None and not sta.get("managed"):
            if "ssid" in sta:
                _netman.sta_connect()
            elif "networks" in sta:
                _roam()
    except BaseException:
        stop()
        raise
    return _network


def stop():
    """Stop the network and forget its configuration and callbacks.

    A scan in flight ends: its caller or scan_done callback gets the result
    or NetError("scan_canceled")."""
    global _network, _sta, _ap, _portal
    pending = _callbacks.get("scan_done") if _scan["mode"] == "callback" else None
    portal, _portal = _portal, None
    try:
        if portal is not None:
            portal.close()  # its sockets and the setup AP
        _netman.close()
    finally:
        _network = None
        _sta = None
        _ap = None
        _callbacks.clear()
    if pending is not None and _netman.scan_state() is not None:
        # Called here rather than scheduled: the schedule queue may be full
        # (stop() from a callback), and stop() must always complete.
        result = _scan_result()
        try:
            pending(result)
        except Exception as error:
            import sys

            print("netman: the scan_done callback raised:")
            sys.print_exception(error)
    _scan["mode"] = None


def set_channel(channel):
    """Put the radio on `channel` (1-13) for while the station is not joined
    to an AP (ESP-NOW's channel); our AP, if it runs, moves there too."""
    _require_started()
    _netman.set_channel(_config.sta_section({"channel": channel}, "set_channel")["channel"])


def ap_config(config=None, **ap):
    """Start our access point on the running network, or change it: given
    values replace the running ones, the rest (PSK included) stays. A running
    AP restarts with the change (its stations rejoin); the station and
    ESP-NOW go on. psk="" makes it an open network."""
    _require_started()
    raw = _config.one_form(config, ap, "ap_config")
    given = _config.ap_section(raw, "ap_config", defaults=_ap is None)
    psk = given.pop("psk", None)
    if "psk" in raw and psk is None:
        psk = b""  # asked for an open network
    settings = dict(_ap or {})
    settings.pop("open", None)
    settings.update(given)
    _start_ap(settings, psk)


def ap_stop():
    """Stop our access point (its stations are sent away); the station and
    ESP-NOW go on."""
    _require_started()
    _stop_ap()


def sta_status():
    """'inactive', 'disconnected', 'connecting', 'associated', 'connected', 'degraded' or 'disconnecting'."""
    return _netman.sta_status()


@_held
def sta_connect(config=None, **sta):
    """Join the configured AP, or a new one: given values replace, the rest stays.

    `config` holds station keys, or a network config whose `sta` section (and
    callbacks) replace the running ones.
    """
    _require_sta()
    if config is not None or sta:
        cfg = _config.connect_config(config, sta)
        if "sntp" in cfg:
            _apply_sntp(cfg["sntp"])
        settings = cfg.get("sta", {})
        if settings.get("ssid", _sta.get("ssid")) != _sta.get("ssid"):
            # Another network: the PSK given for it, or the one stored for it
            # (the running network's PSK never goes with another SSID).
            settings = _config.fill_credentials(settings, _stored_pairs().get("sta"))
        _apply_sta(settings)
        if "mdns" in cfg:
            _apply_mdns(cfg["mdns"])
    if "ssid" not in _sta:
        # Managed mode without an SSID: the stored credentials, if any.
        stored = _config.fill_credentials({}, _stored_pairs().get("sta"))
        if stored:
            _apply_sta(stored)
    _netman.sta_connect()


def sta_disconnect():
    """Leave the AP; status goes 'disconnecting' then 'disconnected'."""
    _require_sta()
    _netman.sta_disconnect()


def sta_rssi():
    """dBm of the associated AP; NetError("not_connected") when not associated."""
    _require_sta()
    return _netman.sta_rssi()


def stats():
    """Event, connection and reconnect counters (see the README)."""
    return _netman.stats()


@_held
def info():
    """The joined AP, our addresses, hostname, MAC, connection uptime, the
    reason of the last disconnect, our own AP (`softap`) and the radio
    settings (`radio`)."""
    _require_started()
    details = _netman.sta_info()
    details["mac"] = _mac
    details["hostname"] = _sta["dhcp_hostname"] if _sta else None
    details["status"] = _netman.sta_status()
    details["channel"] = _netman.radio_channel()
    softap = None
    if _ap is not None:
        softap = _netman.ap_info()
        del softap["stations"]
        softap["ssid"] = _config.text_or_bytes(_ap["ssid"])
        softap["hidden"] = _ap["ssid_hidden"]
        softap["max_connections"] = _ap["max_connections"]
        softap["mac"] = _netman.ap_mac()
    details["softap"] = softap
    details["radio"] = _radio_settings()
    details["provision"] = _portal.info() if _portal is not None else None
    return details


def sntp_status():
    """How time synchronization goes: synced, syncs, failures, last_sync_ms
    (how long ago), offset_ms (server minus our clock), error (of the last
    attempt), server."""
    _require_started()
    return _netman.sntp_status()


def mdns_status():
    """The mDNS responder: running, hostname (as answered, after any
    conflict), conflict, address."""
    _require_started()
    return _netman.mdns_status()


def ap_stations():
    """The stations joined to our AP: [{"mac", "rssi", "ip"}, ...] (ip None
    until our DHCP server gave it one)."""
    _require_started()
    return _netman.ap_info()["stations"]


def _timeout(timeout_ms):
    if not isinstance(timeout_ms, int) or isinstance(timeout_ms, bool):
        raise TypeError("timeout_ms must be an int")
    if not 1 <= timeout_ms <= 86400000:
        raise ValueError("timeout_ms must be 1 to 86400000")
    return timeout_ms


class _Wait:
    # One wait for a section to come up, shared by the blocking wait_for_*()
    # and netman.aio, which differ only in how they sleep between polls.
    # Subclasses give the section, parse its config, resume a running network
    # and check progress: (done, value), raising NetError on failure.

    def __init__(self, config, given, timeout_ms):
        import time

        self._time = time
        self.deadline = time.ticks_add(time.ticks_ms(), _timeout(timeout_ms))
        settings = self.parse(config, given) if (config is not None or given) else None
        self.started_here = _network is None
        if self.started_here:
            if settings is None:
                raise NetError("not_started", "netman is not started and no %s config was given" % self.SECTION)
            start(**{self.SECTION: settings})
        else:
            self.resume(settings)

    def poll(self):
        """(True, value) once up; raises NetError on failure; else (False, None)."""
        done, value = self.check()
        if not done and self._time.ticks_diff(self.deadline, self._time.ticks_ms()) <= 0:
            raise NetError("timeout", "%s not up within the timeout" % self.SECTION)
        return done, value

    def abandon(self):
        # The wait failed or was given up (Ctrl-C, an asyncio cancel): a
        # network it started is not left running half set up.
        if self.started_here:
            stop()

    def block(self):
        import time

        try:
            while True:
                done, value = self.poll()
                if done:
                    return value
                time.sleep_ms(10)
        except BaseException:
            self.abandon()
            raise


class _StaWait(_Wait):
    SECTION = "sta"
    _FATAL = ("auth_failed", "no_ap_found")
    base = None

    def parse(self, config, given):
        settings = _config.connect_config(config, given)["sta"]
        settings.pop("managed", None)
        return settings

    def resume(self, settings):
        _require_sta()
        self.base = stats()["disconnect_reasons"]
        if settings is not None:
            sta_connect(settings)

    def check(self):
        details = _netman.sta_info()
        if details["ip"] is not None and _netman.sta_status() in ("connected", "degraded"):
            return True, details["ip"][:3]
        reasons = stats()["disconnect_reasons"]
        for reason in self._FATAL:
            if reasons[reason] > (self.base[reason] if self.base else 0):
                raise NetError(reason, "station failed to connect: " + reason)
        return False, None


class _ApWait(_Wait):
    SECTION = "ap"

    def parse(self, config, given):
        return _config.ap_section(_config.one_form(config, given, "wait_for_ap"))

    def resume(self, settings):
        if _ap is None:
            raise NetError("unsupported", "the running network has no access point")
        if settings is not None:
            raise NetError("already_started", "the access point runs already; stop() to change it")

    def check(self):
        state = _netman.ap_info()
        if state["status"] == "started":
            return True, None
        if state["status"] == "failed":
            raise NetError(state["reason"], "the access point failed to start: " + state["reason"])
        return False, None


def wait_for_sta(config=None, timeout_ms=15000, **sta):
    """Start (or reconnect) the station and wait for an address: returns
    ip_info, or raises NetError("timeout" / "auth_failed" / "no_ap_found").
    Callbacks keep running while it waits."""
    return _StaWait(config, sta, timeout_ms).block()


def wait_for_ap(config=None, timeout_ms=15000, **ap):
    """Start the access point (if netman is not running) and wait until it is
    up: returns None, or raises NetError."""
    return _ApWait(config, ap, timeout_ms).block()


@_held
def _scan_begin(options, opts, mode):
    _require_started()
    if _sta is None:
        raise NetError("unsupported", "wifi_scan needs the station (STA or STA+AP mode): start netman with an 'sta' section")
    if _scan["mode"] is not None:
        # A scan's result goes to the one who started it, also once it is done.
        raise NetError("busy", "a scan runs, or its result waits for its caller")
    given = _config.scan_options(_config.one_form(options, opts, "wifi_scan"), "wifi_scan") if (options is not None or opts) else {}
    settings = _config.scan_settings(_sta.get("scan", {}), given)
    if settings["channel"]:
        _config.check_channel("wifi_scan", "channel", settings["channel"], _netman.radio_get()["country"], 0)
    _netman.scan_start(settings["passive"], settings["show_hidden"], settings["dwell"], settings["channel"],
                       settings["ssid"], settings["bssid"])
    _scan["mode"] = mode
    _scan["results"] = settings["results"]


def _scan_finished():
    # None while the scan runs; then its result (raising its NetError).
    if _netman.scan_state() == "running":
        return None
    result = _scan_result()
    if isinstance(result, NetError):
        raise result
    return result


def _scan_wait():
    # The result of the scan this caller started, polled every 10 ms. A
    # caller that gives up (Ctrl-C) leaves the result to no one: the next
    # scan may start.
    import time

    try:
        while True:
            result = _scan_finished()
            if result is not None:
                return result
            time.sleep_ms(10)
    except BaseException:
        _scan["mode"] = None
        raise


def wifi_scan(options=None, **opts):
    """Scan for access points: (found, networks), strongest first.

    Options: passive, dwell (ms per channel), results, show_hidden, ssid,
    bssid, channel (0 = all); defaults come from the sta config's `scan`.
    With a scan_done callback configured, returns None at once and the
    callback gets the result (or a NetError)."""
    callback = _callbacks.get("scan_done")
    _scan_begin(options, opts, "callback" if callback is not None else "wait")
    if callback is not None:
        return None
    return _scan_wait()


def provision(config=None, **settings):
    """Put the device on WiFi: with the stored credentials if they work within
    fallback_after_s, else through the setup AP's captive portal. Returns
    ip_info; NetError("timeout") when nothing was provisioned within
    timeout_s (a network this call started is stopped again)."""
    from .portal import steps

    for result in steps(config, settings, "provision", 20):
        if result is not None:
            return result


_SUBMODULES = ("aio", "espnow", "aioespnow", "credentials", "sniffer", "pycom")


def __getattr__(name):
    # netman.aio & co. after a plain `import netman`, loaded on first use: a
    # program that never touches asyncio does not import it. Importing a
    # submodule makes it an attribute of this module, so this runs once each.
    if name not in _SUBMODULES:
        raise AttributeError("module 'netman' has no attribute '%s'" % name)
    __import__("netman." + name)
    return globals()[name]
