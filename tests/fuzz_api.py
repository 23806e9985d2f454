# Runs on the host firmware (tests/test_fuzz.py prepends SEED, CALLS, SECRET
# and REASONS): random public-API calls with hostile arguments, while the
# test injects faults into the air. Prints one line per call ("C <i> <name>",
# never its arguments), the anomalies it finds ("BAD ..."), and at the end
# "FUZZ DONE ...". An anomaly: an exception that is not documented (only
# ValueError/TypeError with a message, NetError with a documented reason,
# ESP-NOW's OSError, asyncio's TimeoutError around an aio wait), the secret in
# a message or a repr, or a state that contradicts itself.
import asyncio
import sys
import time

import netman
import netman.aio
import netman.credentials
import network
from netman import _config, espnow

STATUSES = ("inactive", "disconnected", "connecting", "associated", "connected", "degraded", "disconnecting")


class Rng:
    # xorshift32: the same sequence for a seed on every run.
    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF or 1

    def below(self, n):
        x = self.x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.x = x
        return x % n

    def pick(self, items):
        return items[self.below(len(items))]

    def chance(self, percent):
        return self.below(100) < percent


rng = Rng(SEED)
counts = {"calls": 0, "raised": 0, "bad": 0, "callbacks": 0}
kinds = {}


def bad(what):
    counts["bad"] += 1
    print("BAD", what)


class Opaque:
    pass


def cb_raise(*args):
    counts["callbacks"] += 1
    raise ValueError("fuzz callback raised on purpose")


def cb_quiet(*args):
    counts["callbacks"] += 1


def cb_stop(*args):
    counts["callbacks"] += 1
    guarded("stop in a callback", netman.stop)


def cb_connect(*args):
    counts["callbacks"] += 1
    guarded("sta_connect in a callback", netman.sta_connect)


CALLBACKS = (cb_raise, cb_quiet, cb_quiet, cb_stop, cb_connect)

JUNK = (None, True, False, 0, -1, 1, 7, 2 ** 31, -(2 ** 63), 2 ** 100, 1.5, float("nan"), float("inf"),
        "", "x", "home", "x" * 300, "\u00e9" * 40, b"", b"\xff" * 33, b"caf\xe9", bytearray(b"ab"),
        [], (), {}, [1, 2], ("a",), ("a", 1, 2), {"a": 1}, {1: 2}, {b"\xff": 1}, Opaque(), print)
SECRETS = (SECRET, SECRET.encode(), SECRET * 4, SECRET.encode() + b"\xff" * 8, bytearray(SECRET.encode()))
SSIDS = ("home", "other", "nowhere", b"\xff" * 32, b"caf\xe9", "", "x" * 33, "fuzz-ap")
MACS = (b"\x02\xf0\x00\x00\x00\x02", b"\xff" * 6, bytes(6), b"\x02" * 5, b"\x02" * 7, "02:f0:00:00:00:02")
# Waits stay short: a valid timeout is at most a few hundred ms.
TIMEOUTS = (-1, 0, 1, 50, 300, 2 ** 40, 1.5, None, "50", True)


def junk():
    return rng.pick(JUNK)


def secret():
    return rng.pick(SECRETS)


def value_for(key, good):
    """A value for a configuration key: a good one, or junk."""
    if not isinstance(key, str):
        return junk()
    if key == "psk":
        return secret() if good or rng.chance(50) else junk()
    if key == "networks":
        return [(rng.pick(SSIDS), secret()) for _ in range(rng.below(3))] if good else junk()
    if key == "ssid":
        return rng.pick(SSIDS) if good else junk()
    if key == "eap":
        if not good:
            return rng.pick((junk(), {"method": "peap", "password": secret()}, {"method": junk(), "username": "u"}))
        eap = {"method": rng.pick(("peap", "ttls", "tls")), "identity": "fuzz"}
        for name in ("username", "password", "client_cert", "client_key", "client_key_password"):
            if rng.chance(60):
                eap[name] = secret() if name in ("password", "client_key", "client_key_password") else "fuzz-" + name
        return eap
    if key in _config.STA_CALLBACKS or key in _config.AP_CALLBACKS or key in ("synchronized", "recv"):
        return rng.pick(CALLBACKS) if good else junk()
    if key in ("managed", "ssid_hidden", "ap_ssid_hidden", "passive", "show_hidden", "scan_passive",
               "scan_show_hidden"):
        return rng.pick((True, False)) if good else junk()
    if key == "reconnect":
        return {"initial_ms": rng.pick((1, 50, 200)), "max_ms": rng.pick((200, 1000))} if good else junk()
    if key == "dwell" or key == "scan_dwell_ms":
        return rng.pick((1, 20, 50)) if good else junk()
    if key in ("results", "default_scan_results", "channel", "ap_channel", "max_connections"):
        return rng.pick((1, 4, 13)) if good else junk()
    if key == "ip":
        return ("127.77.0.50", "255.255.255.0", "127.77.0.1", "127.77.0.1") if good else junk()
    if key in ("host", "hostname", "dhcp_hostname"):
        return rng.pick(("127.0.0.1", "kitchen", "x-1")) if good else junk()
    if key == "rxbuf":
        return rng.pick((600, 4096)) if good else junk()
    return junk()


SECTION_KEYS = {
    "sta": list(_config._STA_KEYS),
    "ap": list(_config._AP_KEYS) + ["ap_ssid_hidden", "ap_max_connections"],
    "sntp": ["host", "port", "sync_interval", "synchronized"],
    "mdns": ["hostname", "host", "ttl", "services"],
    "espnow": ["rxbuf", "recv"],
}


def section(keys):
    # Half the time good values but (sometimes) one, so that calls get past
    # validation and into the radio's states; else anything.
    careful = rng.chance(50)
    spoiled = rng.below(8) if careful else -1
    out = {}
    for n in range(rng.below(5)):
        key = rng.pick(keys) if rng.chance(90) or careful else rng.pick(("sid", "", "x" * 70, 5, b"\xff", None))
        out[key] = value_for(key, n != spoiled if careful else rng.chance(55))
    if careful and "ssid" in keys and rng.chance(70):
        out["ssid"] = rng.pick(("home", "other"))
        out["psk"] = SECRET if out["ssid"] == "home" else ""
    form = rng.below(10)
    if form < 6:
        return out
    if form < 9:
        # AtomVM's property list, sometimes with malformed items that hold a secret.
        items = list(out.items())
        if rng.chance(30):
            items.append(rng.pick((["psk", SECRET], ("psk", SECRET, 1), (("psk", SECRET), 1), "managed")))
        return items
    return junk()


def network_config():
    sections = {}
    for name in SECTION_KEYS:
        if rng.chance(35 if name != "sta" else 70):
            sections[name] = section(SECTION_KEYS[name])
    if rng.chance(5):
        sections[rng.pick(("sat", "", "radio"))] = junk()
    return sections


def call_start():
    sections = network_config()
    if rng.chance(20):
        return netman.start(list(sections.items()))
    if rng.chance(20):
        return netman.start(sections)
    return netman.start(**{k: v for k, v in sections.items() if isinstance(k, str) and k})


def callbacks(names):
    return {name: rng.pick(CALLBACKS) for name in names if rng.chance(60)}


def call_good_start():
    # A configuration that starts, with callbacks that raise, stop or reconnect.
    sections = {}
    if rng.chance(85):
        sta = callbacks(_config.STA_CALLBACKS)
        sta.update(ssid=rng.pick(("home", "home", "other", "nowhere")), psk=SECRET)
        if sta["ssid"] != "home":
            sta["psk"] = ""
        if rng.chance(30):
            sta["reconnect"] = {"initial_ms": 20, "max_ms": 100}
        if rng.chance(20):
            sta["networks"] = [("home", SECRET), ("other", "")]
        sections["sta"] = sta
        if rng.chance(30):
            sections["sntp"] = {"host": "127.0.0.1", "port": 9, "synchronized": rng.pick(CALLBACKS)}
        if rng.chance(30):
            sections["mdns"] = {"hostname": "fuzz", "services": [("_http", "_tcp", 80, "fuzz")]}
    if not sections or rng.chance(30):
        ap = callbacks(_config.AP_CALLBACKS)
        ap.update(ssid=rng.pick(("fuzz-own", "fuzz-\u00e9t\u00e9", b"\xff" * 32)), psk=rng.pick((SECRET, "")))
        sections["ap"] = ap
    if rng.chance(30):
        sections["espnow"] = {"rxbuf": 600, "recv": rng.pick(CALLBACKS)}
    return netman.start(**sections)


def call_sta_connect():
    if rng.chance(30):
        return netman.sta_connect()
    given = section(SECTION_KEYS["sta"])
    if isinstance(given, dict) and all(isinstance(k, str) and k for k in given):
        return netman.sta_connect(**given)
    return netman.sta_connect(given)


def call_wait_for_sta():
    given = section(SECTION_KEYS["sta"]) if rng.chance(60) else None
    return netman.wait_for_sta(given, timeout_ms=rng.pick(TIMEOUTS))


def call_wait_for_ap():
    given = section(SECTION_KEYS["ap"]) if rng.chance(60) else None
    return netman.wait_for_ap(given, timeout_ms=rng.pick(TIMEOUTS))


def running():
    try:
        netman.info()
        return True
    except netman.NetError as error:
        if error.reason != "not_started":
            bad("info() says %s" % error.reason)
        return False


def call_aio_wait():
    # An outer timeout cancels the wait: what it started must not stay running.
    started_here = not running()
    given = section(SECTION_KEYS["sta"]) if rng.chance(70) else None
    try:
        return asyncio.run(asyncio.wait_for(netman.aio.wait_for_sta(given, timeout_ms=5000), 0.05))
    finally:
        if started_here and running() and netman.sta_status() not in ("connected", "degraded"):
            bad("a cancelled aio.wait_for_sta left its network running")


def call_scan():
    options = {}
    for _ in range(rng.below(3)):
        key = rng.pick(("passive", "dwell", "results", "show_hidden", "ssid", "bssid", "channel", "colour"))
        options[key] = value_for(key, rng.chance(70))
    if "dwell" not in options:
        options["dwell"] = rng.pick((1, 20))  # a scan of all channels stays short
    return netman.wifi_scan(options)


def call_radio():
    settings = {}
    for _ in range(rng.below(3)):
        settings[rng.pick(("txpower", "country", "power_save", "protocol", "bandwidth", "hostname", "x"))] = junk()
    return netman.radio(**settings)


def call_store():
    kind = rng.pick(("sta", "ap"))
    pair = (rng.pick(SSIDS), secret()) if rng.chance(60) else junk()
    return netman.credentials.store(**{kind: pair})


def espnow_obj():
    return espnow.ESPNow()


def call_espnow():
    e = espnow_obj()
    what = rng.below(14)
    if what == 0:
        return e.active(rng.pick((True, False, True, junk())))
    if what == 1:
        key = rng.pick(("rxbuf", "timeout_ms", "rate", "colour"))
        value = rng.pick((600, 1, 0, 50)) if rng.chance(50) else junk()
        return e.config(**{key: value})
    if what == 2:
        return e.add_peer(rng.pick(MACS), rng.pick((None, secret(), junk())))
    if what == 3:
        return e.mod_peer(rng.pick(MACS), rng.pick((None, secret(), junk())), encrypt=rng.pick((True, False, junk())))
    if what == 4:
        return e.del_peer(rng.pick(MACS))
    if what == 5:
        return e.get_peer(rng.pick(MACS))
    if what == 6:
        return e.send(rng.pick(MACS + (None,)), rng.pick((b"hello", b"x" * 250, b"x" * 251, b"", junk())),
                      rng.pick((False, True, None)))
    if what == 7:
        return e.recv(rng.pick((0, 1, 10)))
    if what == 8:
        return e.irecv(rng.pick((0, 1)))
    if what == 9:
        return e.recvinto(rng.pick(([bytearray(7), bytearray(250)], [], junk(), bytearray(3))), rng.pick((0, 1)))
    if what == 10:
        return e.set_pmk(rng.pick((secret(), junk())))
    if what == 11:
        return e.irq(rng.pick((cb_quiet, cb_raise, None, junk())))
    if what == 12:
        return (e.any(), e.stats(), e.get_peers(), e.peer_count(), e.peers_table)
    return e.send(rng.pick(MACS), rng.pick((b"x", junk())))


def call_network():
    # MicroPython's network module on the same core (the host build's).
    wlan = network.WLAN(rng.pick((network.STA_IF, network.AP_IF, network.STA_IF, junk())))
    what = rng.below(9)
    if what == 0:
        return wlan.active(rng.pick((True, False, True, junk())))
    if what == 1:
        return wlan.connect(rng.pick(SSIDS + (junk(),)), rng.pick((SECRET, None, junk())))
    if what == 2:
        return wlan.disconnect()
    if what == 3:
        return wlan.status(*rng.pick(((), ("rssi",), ("stations",), (junk(),))))
    if what == 4:
        return wlan.isconnected()
    if what == 5:
        return wlan.ifconfig(*rng.pick(((), ("dhcp",), (junk(),), (("127.77.0.60", "255.255.255.0", "127.77.0.1",
                                                                        "127.77.0.1"),))))
    if what == 6:
        key = rng.pick(("mac", "ssid", "channel", "hidden", "key", "txpower", "pm", "hostname", "reconnects", "x"))
        return wlan.config(**{key: rng.pick((SECRET,) if key == "key" else (junk(), 1, "fuzz"))}) \
            if rng.chance(60) else wlan.config(key)
    if what == 7:
        return wlan.ipconfig(rng.pick(("dhcp4", "addr4", "gw4", junk())))
    return wlan.scan() if rng.chance(20) else wlan.status()


API = [
    ("start", call_start, 8), ("good start", call_good_start, 8), ("stop", netman.stop, 6), ("sta_connect", call_sta_connect, 8),
    ("sta_disconnect", netman.sta_disconnect, 3), ("sta_rssi", netman.sta_rssi, 2),
    ("sta_status", netman.sta_status, 2), ("info", netman.info, 3), ("stats", netman.stats, 2),
    ("sntp_status", netman.sntp_status, 1), ("mdns_status", netman.mdns_status, 1),
    ("ap_stations", netman.ap_stations, 1), ("wait_for_sta", call_wait_for_sta, 4),
    ("wait_for_ap", call_wait_for_ap, 2), ("aio.wait_for_sta", call_aio_wait, 2), ("wifi_scan", call_scan, 4),
    ("radio", call_radio, 2), ("credentials.store", call_store, 2),
    ("credentials.load", netman.credentials.load, 1), ("credentials.clear", netman.credentials.clear, 1),
    ("espnow", call_espnow, 14), ("network", call_network, 8),
]
WEIGHTED = [entry for entry in API for _ in range(entry[2])]


def documented(name, error):
    if isinstance(error, netman.NetError):
        return error.reason in REASONS
    if type(error) in (ValueError, TypeError, UnicodeError):
        return str(error) != ""
    if name.startswith("espnow") and type(error) is OSError:
        return True  # MicroPython's espnow: OSError(code[, "ESP_ERR_..."])
    if name == "network" and type(error) in (OSError, ValueError, TypeError, OverflowError, RuntimeError):
        # MicroPython's network module, its errors as its ESP32 port raises them
        # (mp_obj_get_int's OverflowError, esp_exceptions' "Wifi Unknown Error").
        return True
    if name == "aio.wait_for_sta" and isinstance(error, asyncio.TimeoutError):
        return True
    return False


def guarded(name, call):
    try:
        result = call()
    except Exception as error:
        counts["raised"] += 1
        kind = type(error).__name__ + "/" + str(getattr(error, "reason", ""))
        kinds[kind] = kinds.get(kind, 0) + 1
        text = repr(error) + str(error)
        if SECRET in text:
            bad("secret in the %s message of %s" % (type(error).__name__, name))
        if not documented(name, error):
            bad("%s raised %s: %s" % (name, type(error).__name__, error))
        return None
    try:
        if SECRET in repr(result):
            bad("secret in the repr of what %s returned" % name)
    except Exception as error:
        bad("repr of what %s returned raised %s" % (name, type(error).__name__))
    return result


def check_state(name):
    status = netman.sta_status()
    if status not in STATUSES:
        bad("after %s: sta_status() is %r" % (name, status))
    if not running() and status != "inactive":
        bad("after %s: stopped, but sta_status() is %r" % (name, status))
    for key, value in netman.stats().items():
        if key != "disconnect_reasons" and (not isinstance(value, int) or value < 0):
            bad("after %s: stats()[%r] is %r" % (name, key, value))


for i in range(CALLS):
    name, call, _ = rng.pick(WEIGHTED)
    print("C", i, name)
    counts["calls"] += 1
    guarded(name, call)
    check_state(name)
    if rng.chance(10):
        time.sleep_ms(rng.pick((1, 20, 60)))  # let events and callbacks run

guarded("final stop", netman.stop)
check_state("final stop")
print("KINDS", sorted(kinds.items()))
print("FUZZ DONE calls=%d raised=%d callbacks=%d bad=%d" % (counts["calls"], counts["raised"], counts["callbacks"],
                                                           counts["bad"]))
