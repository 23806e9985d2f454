# Configuration parsing and validation for netman.start() and friends.
#
# Accepts keyword sections, one dict, or an AtomVM property list; returns
# plain dicts. Everything is checked before anything is applied, and every
# error names the section and key.

import _netman

SECTIONS = ("sta", "ap", "sntp", "mdns", "espnow", "radio", "provision")

_HOSTNAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


def _distance(a, b):
    # Edit distance counting a swap of neighbours as one edit (so "pks" is
    # one away from "psk"), for "did you mean" suggestions.
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[len(a)][len(b)]


def _unknown(where, key, known):
    best = None
    for name in known:
        # A key cut short ("initial" for "initial_ms") is as good as one typo.
        d = 1 if name.startswith(key) and len(key) >= 3 else _distance(key, name)
        if d <= max(1, len(key) // 3) and (best is None or d < best[0]):
            best = (d, name)
    hint = " (did you mean '%s'?)" % best[1] if best else ""
    return ValueError("%s: unknown key '%s'%s; valid keys: %s" % (where, key, hint, ", ".join(sorted(known))))


def _kind(value):
    # What a value is, for messages that must not show it (it may hold a secret).
    if isinstance(value, (list, tuple)):
        return "a %s of %d items" % (type(value).__name__, len(value))
    return "a " + type(value).__name__


def utf8(where, key, value):
    """bytes as text; ValueError naming the key when they are not UTF-8."""
    try:
        return value.decode()
    except UnicodeError:
        raise ValueError("%s: '%s' must be UTF-8 text" % (where, key)) from None


def text_or_bytes(raw):
    """An SSID (or a stored PSK) for the application: str when it is UTF-8,
    else the bytes themselves (an SSID is 1 to 32 bytes of any value)."""
    try:
        return raw.decode()
    except UnicodeError:
        return bytes(raw)


def as_dict(value, where):
    """A dict from a dict or an AtomVM property list; a bare name means True."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (str, bytes)):
                items.append((item, True))
            elif isinstance(item, tuple) and len(item) == 2:
                items.append(item)
            else:
                raise TypeError("%s: property list items must be (name, value) tuples or names, not %s"
                                % (where, _kind(item)))
    else:
        raise TypeError("%s: expected a dict or a property list, not %s" % (where, type(value).__name__))
    out = {}
    for key, val in items:
        if isinstance(key, bytes):
            key = utf8(where, "key", key)
        if not isinstance(key, str):
            raise TypeError("%s: keys must be strings, not %s" % (where, _kind(key)))
        if key in out:
            raise ValueError("%s: key '%s' given twice" % (where, key))
        out[key] = val
    return out


def _text(where, key, value, lo, hi):
    if isinstance(value, str):
        value = value.encode()
    elif not isinstance(value, (bytes, bytearray)):
        raise TypeError("%s: '%s' must be str or bytes, not %s" % (where, key, type(value).__name__))
    if not lo <= len(value) <= hi:
        raise ValueError("%s: '%s' must be %d to %d bytes long, got %d" % (where, key, lo, hi, len(value)))
    return bytes(value)


def check_ssid(where, key, value):
    return _text(where, key, value, 1, 32)


def check_psk(where, key, value):
    # Never echo the value: it is a secret.
    psk = _text(where, key, value, 0, 64)
    if len(psk) == 64:
        for c in psk:
            if c not in b"0123456789abcdefABCDEF":
                raise ValueError("%s: a 64-character '%s' must be hex digits" % (where, key))
    elif 0 < len(psk) < 8:
        raise ValueError("%s: '%s' must be 8 to 63 characters (or 64 hex digits), or empty for an open network" % (where, key))
    return psk


def _hostname(where, key, value):
    name = utf8(where, key, _text(where, key, value, 1, 32))
    for c in name:
        if c not in _HOSTNAME_CHARS:
            raise ValueError("%s: '%s' may hold only letters, digits and '-', got %r" % (where, key, name))
    if name[0] == "-" or name[-1] == "-":
        raise ValueError("%s: '%s' must not start or end with '-'" % (where, key))
    return name


def _flag(where, key, value):
    if not isinstance(value, bool):
        raise TypeError("%s: '%s' must be True or False, not %s" % (where, key, type(value).__name__))
    return value


def _callback(where, key, value):
    if not callable(value):
        raise TypeError("%s: '%s' must be callable, not %s" % (where, key, type(value).__name__))
    return value


def _ipv4(where, key, value):
    if isinstance(value, bytes):
        value = utf8(where, key, value)
    if not isinstance(value, str):
        raise TypeError("%s: '%s' addresses must be dotted strings, not %s" % (where, key, type(value).__name__))
    parts = value.split(".")
    ok = len(parts) == 4
    number = 0
    for part in parts:
        ok = ok and part.isdigit() and len(part) <= 3 and int(part) <= 255
        if ok:
            number = number << 8 | int(part)
    if not ok:
        raise ValueError("%s: '%s' holds %r, which is not an IPv4 address like 192.168.1.20" % (where, key, value))
    return number


def _static_ip(where, key, value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        raise TypeError("%s: '%s' must be (address, netmask, gateway, dns)" % (where, key))
    address, netmask, gateway, dns = [_ipv4(where, key, v) for v in value]
    inverted = ~netmask & 0xFFFFFFFF
    if netmask == 0 or inverted & (inverted + 1):
        raise ValueError("%s: '%s' netmask %r is not a valid netmask" % (where, key, value[1]))
    if address == 0 or address >> 28 >= 0xE:
        raise ValueError("%s: '%s' address %r is not a host address" % (where, key, value[0]))
    if address & netmask != gateway & netmask:
        raise ValueError("%s: '%s' gateway %r is outside the network of %r" % (where, key, value[2], value[0]))
    return (address, netmask, gateway, dns)


RECONNECT_MAX_MS = 3600000


def _reconnect(where, key, value):
    policy = as_dict(value, "%s: '%s'" % (where, key))
    for name in policy:
        if name not in ("initial_ms", "max_ms"):
            raise _unknown("%s: '%s'" % (where, key), name, ("initial_ms", "max_ms"))
    for name in policy:
        if not isinstance(policy[name], int) or isinstance(policy[name], bool):
            raise TypeError("%s: '%s' %s must be an int" % (where, key, name))
        if not 1 <= policy[name] <= RECONNECT_MAX_MS:
            raise ValueError("%s: '%s' %s must be 1 to %d ms" % (where, key, name, RECONNECT_MAX_MS))
    initial = policy.get("initial_ms", 1000)
    longest = policy.get("max_ms", max(initial, 60000))
    if longest < initial:
        raise ValueError("%s: '%s' max_ms must not be below initial_ms" % (where, key))
    return (initial, longest)


def _int_range(lo, hi):
    def check(where, key, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("%s: '%s' must be an int, not %s" % (where, key, type(value).__name__))
        if not lo <= value <= hi:
            raise ValueError("%s: '%s' must be %d to %d, got %d" % (where, key, lo, hi, value))
        return value

    return check


def _channel_range(lo):
    # 1-13 everywhere; 14 where the radio country allows it (checked against
    # the country when it is known).
    def check(where, key, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("%s: '%s' must be an int, not %s" % (where, key, type(value).__name__))
        if not lo <= value <= 14:
            raise ValueError("%s: '%s' must be %d to 13 (14 where the radio 'country' allows it), got %d"
                             % (where, key, lo, value))
        return value

    return check


def _bssid(where, key, value):
    if isinstance(value, str):
        parts = value.split(":")
        try:
            if len(parts) != 6 or any(len(p) != 2 for p in parts):
                raise ValueError
            return bytes(int(p, 16) for p in parts)
        except ValueError:
            raise ValueError("%s: '%s' must be 6 bytes or 'aa:bb:cc:dd:ee:ff'" % (where, key)) from None
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError("%s: '%s' must be bytes or a 'aa:bb:cc:dd:ee:ff' string" % (where, key))
    if len(value) != 6:
        raise ValueError("%s: '%s' must be 6 bytes, got %d" % (where, key, len(value)))
    return bytes(value)


SCAN_DWELL_MAX = 1500
SCAN_DEFAULTS = {"passive": False, "dwell": 120, "results": 6, "show_hidden": False,
                 "ssid": b"", "bssid": None, "channel": 0}
# AtomVM: a passive scan with no dwell given lingers 360 ms per channel.
PASSIVE_DWELL = 360

_SCAN_KEYS = {
    "passive": _flag,
    "dwell": _int_range(1, SCAN_DWELL_MAX),
    "results": _int_range(1, _netman.MAX_SCAN_RESULTS),
    "show_hidden": _flag,
    "ssid": check_ssid,
    "bssid": _bssid,
    "channel": _channel_range(0),
}
# AtomVM's flat sta keys for the default scan options.
_FLAT_SCAN_KEYS = {
    "default_scan_results": "results",
    "scan_dwell_ms": "dwell",
    "scan_show_hidden": "show_hidden",
    "scan_passive": "passive",
}


def scan_options(value, where):
    """Validated scan options (only the keys given)."""
    out = {}
    for key, val in as_dict(value, where).items():
        check = _SCAN_KEYS.get(key)
        if check is None:
            raise _unknown(where, key, _SCAN_KEYS)
        out[key] = check(where, key, val)
    return out


def scan_settings(defaults, given):
    """Every scan option: `given` over the configured `defaults` over the built-in ones."""
    settings = dict(SCAN_DEFAULTS)
    settings.update(defaults)
    settings.update(given)
    if settings["passive"] and "dwell" not in defaults and "dwell" not in given:
        settings["dwell"] = PASSIVE_DWELL
    return settings


def _scan_defaults(where, key, value):
    return scan_options(value, "%s: '%s'" % (where, key))


NETWORKS_MAX = 10


def _networks(where, key, value):
    if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= NETWORKS_MAX:
        raise TypeError("%s: '%s' must be a list of 1 to %d (ssid, psk) pairs" % (where, key, NETWORKS_MAX))
    out = []
    for pair in value:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError("%s: '%s' entries must be (ssid, psk) pairs" % (where, key))
        out.append((check_ssid(where, key + " ssid", pair[0]), check_psk(where, key + " psk", pair[1] or b"")))
    return out


STA_CALLBACKS = ("connected", "disconnected", "got_ip", "beacon_timeout", "scan_done")

def _pinned_bssid(where, key, value):
    # None unpins: any AP serving the SSID.
    return None if value is None else _bssid(where, key, value)


# WPA2-Enterprise: the methods (netman_eap_method_t), and the lengths the
# drivers take (ESP-IDF's esp_eap_client: identities 1-127 bytes, a private
# key up to 4096).
EAP_METHODS = {"peap": 1, "ttls": 2, "tls": 3}
_EAP_LIMITS = {"identity": 127, "username": 127, "password": 128, "ca_cert": 8192, "client_cert": 8192,
               "client_key": 4096, "client_key_password": 128}
_EAP_FOR = {"username": "peap/ttls", "password": "peap/ttls", "client_cert": "tls", "client_key": "tls",
            "client_key_password": "tls"}


def _eap(where, key, value):
    # None: no 802.1X (a PSK or open network). Secrets are never echoed.
    if value is None:
        return None
    where = "%s: '%s'" % (where, key)
    out = {}
    for name, val in as_dict(value, where).items():
        if name == "method":
            if val not in EAP_METHODS:
                raise ValueError("%s: 'method' must be one of %s" % (where, ", ".join(sorted(EAP_METHODS))))
            out[name] = val
        elif name in _EAP_LIMITS:
            out[name] = _text(where, name, val, 1, _EAP_LIMITS[name])
        else:
            raise _unknown(where, name, ["method"] + list(_EAP_LIMITS))
    method = out.get("method")
    if method is None:
        raise ValueError("%s: 'method' is required (%s)" % (where, ", ".join(sorted(EAP_METHODS))))
    for name, methods in _EAP_FOR.items():
        if name in out and method not in methods:
            raise ValueError("%s: '%s' is for method %s, not %s" % (where, name, methods, method))
    needed = ("client_cert", "client_key", "identity") if method == "tls" else ("username", "password")
    for name in needed:
        if name not in out:
            raise ValueError("%s: method %s needs '%s'" % (where, method, name))
    out.setdefault("identity", out.get("username"))
    return out


_STA_KEYS = {
    "ssid": check_ssid,
    "psk": check_psk,
    "bssid": _pinned_bssid,
    "eap": _eap,
    "dhcp_hostname": _hostname,
    "managed": _flag,
    "ip": _static_ip,
    "reconnect": _reconnect,
    "scan": _scan_defaults,
    "networks": _networks,
    "channel": _int_range(1, 13),
}
for _flat, _option in _FLAT_SCAN_KEYS.items():
    _STA_KEYS[_flat] = _SCAN_KEYS[_option]
for _name in STA_CALLBACKS:
    _STA_KEYS[_name] = _callback


def sta_section(value, where="sta"):
    """Validated station settings (keys present only where given)."""
    raw = as_dict(value, where)
    out = {}
    for key, val in raw.items():
        check = _STA_KEYS.get(key)
        if check is None:
            raise _unknown(where, key, _STA_KEYS)
        out[key] = check(where, key, val)
    # AtomVM's flat scan keys land in the same place as the `scan` table.
    for flat, option in _FLAT_SCAN_KEYS.items():
        if flat in out:
            out.setdefault("scan", {})[option] = out.pop(flat)
    if out.get("eap") is not None and out.get("psk"):
        raise ValueError("%s: give 'psk' (WPA2-PSK) or 'eap' (WPA2-Enterprise), not both" % where)
    return out


AP_CALLBACKS = ("ap_started", "sta_connected", "sta_disconnected", "sta_ip_assigned")
AP_DEFAULTS = {"ap_channel": 1, "ssid_hidden": False, "max_connections": 4}

_AP_KEYS = {
    "ssid": check_ssid,
    "psk": check_psk,
    "ap_channel": _channel_range(1),
    "ssid_hidden": _flag,
    "max_connections": _int_range(1, _netman.AP_MAX_STATIONS),  # the port's limit
}
for _name in AP_CALLBACKS:
    _AP_KEYS[_name] = _callback
# AtomVM's own spellings.
_AP_ALIASES = {"ap_ssid_hidden": "ssid_hidden", "ap_max_connections": "max_connections"}


def ap_section(value, where="ap", defaults=True):
    """Validated access-point settings, with defaults filled in (but ssid)
    unless `defaults` is False (a change names only what changes)."""
    out = dict(AP_DEFAULTS) if defaults else {}
    given = {}
    for key, val in as_dict(value, where).items():
        name = _AP_ALIASES.get(key, key)
        check = _AP_KEYS.get(name)
        if check is None:
            raise _unknown(where, key, list(_AP_KEYS) + list(_AP_ALIASES))
        if name in given:
            raise ValueError("%s: '%s' given twice (as '%s' and '%s')" % (where, name, given[name], key))
        given[name] = key
        out[name] = check(where, key, val)
    if out.get("psk") == b"":
        del out["psk"]
    return out


SNTP_DEFAULTS = {"host": "", "port": 123, "sync_interval": 3600}

_SNTP_KEYS = {
    "host": None,  # checked below: a name or address, 1 to 64 characters
    "port": _int_range(1, 65535),
    "sync_interval": _int_range(1, 86400),
    "synchronized": _callback,
}


def sntp_section(value, where="sntp"):
    """Validated SNTP settings; AtomVM's first manual's plain `sntp="host"` works too."""
    if isinstance(value, (str, bytes)):
        value = {"host": value}
    out = dict(SNTP_DEFAULTS)
    for key, val in as_dict(value, where).items():
        if key not in _SNTP_KEYS:
            raise _unknown(where, key, _SNTP_KEYS)
        if key == "host":
            val = utf8(where, key, _text(where, key, val, 1, 64))
            if " " in val:
                raise ValueError("%s: 'host' must be a host name or address, got %r" % (where, val))
        else:
            val = _SNTP_KEYS[key](where, key, val)
        out[key] = val
    return out


MDNS_MAX_SERVICES = 8
_SERVICE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _label(where, key, value, chars=None):
    text = utf8(where, key, _text(where, key, value, 1, 63))
    if chars is not None and any(c not in chars for c in text.lower()):
        raise ValueError("%s: '%s' may hold only letters, digits and '-', got %r" % (where, key, text))
    if "." in text:
        raise ValueError("%s: '%s' must not contain '.', got %r" % (where, key, text))
    return text


def _mdns_hostname(where, key, value):
    name = _label(where, key, value, _SERVICE_CHARS)
    if name[0] == "-" or name[-1] == "-":
        raise ValueError("%s: '%s' must not start or end with '-'" % (where, key))
    return name


def _services(where, key, value):
    if not isinstance(value, (list, tuple)) or len(value) > MDNS_MAX_SERVICES:
        raise TypeError("%s: '%s' must be a list of at most %d (service, proto, port, instance)"
                        % (where, key, MDNS_MAX_SERVICES))
    out = []
    for entry in value:
        if not isinstance(entry, (list, tuple)) or len(entry) != 4:
            raise TypeError("%s: '%s' entries must be (service, proto, port, instance), like "
                            "('_http', '_tcp', 80, 'My web server')" % (where, key))
        service = _label(where, key + " service", entry[0])
        if service[0] != "_" or len(service) > 16 or any(c not in _SERVICE_CHARS for c in service[1:].lower()):
            raise ValueError("%s: '%s' service must be '_' and 1 to 15 letters, digits or '-', got %r"
                             % (where, key, service))
        proto = _label(where, key + " proto", entry[1])
        if proto not in ("_tcp", "_udp"):
            raise ValueError("%s: '%s' proto must be '_tcp' or '_udp', got %r" % (where, key, proto))
        port = _int_range(1, 65535)(where, key + " port", entry[2])
        out.append((service, proto, port, _label(where, key + " instance", entry[3])))
    return out


_MDNS_KEYS = {
    "hostname": _mdns_hostname,
    "ttl": _int_range(1, 4500),
    "services": _services,
}


def mdns_section(value, where="mdns"):
    """Validated mDNS settings (AtomVM's `host` is an alias of `hostname`)."""
    out = {"ttl": 120, "services": []}
    for key, val in as_dict(value, where).items():
        name = "hostname" if key == "host" else key
        if name not in _MDNS_KEYS:
            raise _unknown(where, key, list(_MDNS_KEYS) + ["host"])
        if name in out and name == "hostname":
            raise ValueError("%s: 'hostname' given twice (as 'hostname' and 'host')" % where)
        out[name] = _MDNS_KEYS[name](where, key, val)
    return out


def espnow_rxbuf(where, key, value):
    """An ESP-NOW receive ring size of at least one byte that the heap can
    give now (frames too big for the ring are dropped and counted, as
    MicroPython does)."""
    import gc

    size = _int_range(1, 1 << 31)(where, key, value)
    free = gc.mem_free()
    if size > free:
        raise ValueError("%s: '%s' must be 1 to %d bytes (what the heap has free), got %d" % (where, key, free, size))
    return size


def espnow_section(value, where="espnow"):
    """Validated ESP-NOW settings: rxbuf (bytes) and recv(mac, msg)."""
    out = {"rxbuf": 526}
    keys = {"rxbuf": espnow_rxbuf, "recv": _callback}
    for key, val in as_dict(value, where).items():
        if key not in keys:
            raise _unknown(where, key, keys)
        out[key] = keys[key](where, key, val)
    return out


POWER_SAVE = ("none", "min", "max")
# NETMAN_PROTOCOL_* bits, and the sets ESP-IDF's esp_wifi_set_protocol takes
# (802.11b, b/g or b/g/n, each with or without long range, or long range alone).
PROTOCOL_BITS = {"b": 1, "g": 2, "n": 4, "lr": 8}
PROTOCOL_SETS = (1, 3, 7, 8, 9, 11, 15)


def _txpower(where, key, value):
    lo, hi = _netman.TXPOWER_MIN_QDBM, _netman.TXPOWER_MAX_QDBM
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError("%s: '%s' must be a number (dBm), not %s" % (where, key, type(value).__name__))
    # Compared before the conversion: inf and nan are floats too.
    if not lo / 4 <= value <= hi / 4:
        raise ValueError("%s: '%s' must be %g to %g dBm, got %g" % (where, key, lo / 4, hi / 4, value))
    return int(value * 4)  # quarter dBm, as the drivers take it


def country_code(where, key, value):
    code = _text(where, key, value, 2, 2).decode().upper()
    if not _netman.country_channels(code):
        raise ValueError("%s: '%s' %r is not a country code netman knows (two letters, ISO 3166; "
                         "'01' or 'XX' for worldwide)" % (where, key, code))
    return code


def _power_save(where, key, value):
    if value not in POWER_SAVE:
        raise ValueError("%s: '%s' must be one of %s, got %r" % (where, key, ", ".join(POWER_SAVE), value))
    return POWER_SAVE.index(value)


def _protocol(where, key, value):
    if not isinstance(value, (list, tuple)):
        raise TypeError("%s: '%s' must be a tuple of 'b', 'g', 'n', 'lr', like ('b', 'g', 'n')" % (where, key))
    bits = 0
    for name in value:
        if name not in PROTOCOL_BITS:
            raise ValueError("%s: '%s' names 'b', 'g', 'n' and 'lr', got %r" % (where, key, name))
        bits |= PROTOCOL_BITS[name]
    if bits not in PROTOCOL_SETS:
        raise ValueError("%s: '%s' must be ('b',), ('b', 'g'), ('b', 'g', 'n'), each with or without 'lr', "
                         "or ('lr',); got %r" % (where, key, tuple(value)))
    return bits


_RADIO_KEYS = {
    "txpower": _txpower,
    "country": country_code,
    "power_save": _power_save,
    "protocol": _protocol,
    "bandwidth": None,  # checked below: 20 or 40 (MHz)
    "hostname": _hostname,
}


def radio_section(value, where="radio"):
    """Validated radio settings (only the keys given): txpower in quarter
    dBm, power_save and protocol as numbers for _netman."""
    out = {}
    for key, val in as_dict(value, where).items():
        if key not in _RADIO_KEYS:
            raise _unknown(where, key, _RADIO_KEYS)
        if key == "bandwidth":
            if val not in (20, 40) or isinstance(val, bool):
                raise ValueError("%s: 'bandwidth' must be 20 or 40 (MHz), got %r" % (where, val))
            out[key] = val
        else:
            out[key] = _RADIO_KEYS[key](where, key, val)
    return out


# The channels netman allows while no country is set (the driver's defaults apply).
DEFAULT_CHANNELS = 13


def check_channel(where, key, channel, country, lowest=1):
    """ValueError unless the country (None: none set) allows the channel."""
    channels = _netman.country_channels(country) if country else DEFAULT_CHANNELS
    if channel > channels:
        scope = "in country '%s'" % country if country else "while no radio 'country' is set"
        raise ValueError("%s: '%s' must be %d to %d %s, got %d" % (where, key, lowest, channels, scope, channel))


def sections(top, where):
    """Validated {section: settings} from an already merged top-level dict."""
    if not top:
        raise ValueError("%s: no section given; expected one of: %s" % (where, ", ".join(SECTIONS)))
    out = {}
    for name, value in top.items():
        if name == "sta":
            out["sta"] = sta_section(value)
        elif name == "ap":
            out["ap"] = ap_section(value)
        elif name == "sntp":
            out["sntp"] = sntp_section(value)
        elif name == "mdns":
            out["mdns"] = mdns_section(value)
        elif name == "espnow":
            out["espnow"] = espnow_section(value)
        elif name == "radio":
            out["radio"] = radio_section(value)
        elif name == "provision":
            from .portal import section

            out["provision"] = section(value)
        else:
            raise _unknown(where, name, SECTIONS)
    return out


def one_form(config, keywords, where):
    """The dict of either a positional config or keywords (not both)."""
    if config is not None and keywords:
        raise TypeError("%s: give one config or keywords, not both" % where)
    return as_dict(config if config is not None else keywords, where)


def network_config(config, keywords):
    """Validated {section: settings} from start()'s three accepted forms."""
    out = sections(one_form(config, keywords, "start"), "start")
    if "provision" in out:
        if "ap" in out:
            raise ValueError("start: 'provision' brings its own access point (the setup AP); leave out 'ap'")
        out.setdefault("sta", {})
    for service in ("sntp", "mdns"):
        if service in out and "sta" not in out:
            raise ValueError("start: section '%s' needs the 'sta' section (it runs on the station's network)"
                             % service)
    radio = out.get("radio", {})
    if "hostname" in radio:
        if "sta" not in out:
            raise ValueError("radio: 'hostname' needs the 'sta' section (it is the name the station's DHCP sends)")
        if "dhcp_hostname" in out["sta"]:
            raise ValueError("start: give the hostname once, as radio 'hostname' or sta 'dhcp_hostname'")
    if "ap" in out:
        check_channel("ap", "ap_channel", out["ap"]["ap_channel"], radio.get("country"))
    return out


def fill_credentials(settings, stored):
    """Take ssid/psk from the stored (ssid, psk) bytes where the config has
    none; explicit values win, and a stored PSK only goes with its own SSID."""
    if stored is None:
        return settings
    ssid, psk = stored
    out = dict(settings)
    if "ssid" not in out:
        out["ssid"] = ssid
    if "psk" not in out and out["ssid"] == ssid and psk:
        out["psk"] = psk
    return out


def connect_config(config, keywords):
    """sta_connect()'s argument: station keys, or a network config with sections."""
    top = one_form(config, keywords, "sta_connect")
    if any(name in top for name in SECTIONS):
        out = sections(top, "sta_connect")
        for fixed in ("ap", "provision"):
            if fixed in out:
                raise ValueError("sta_connect: the '%s' section cannot change while the network runs" % fixed)
        if "radio" in out:
            raise ValueError("sta_connect: the 'radio' section cannot change here; netman.radio() changes it")
        return out
    return {"sta": sta_section(top)}
