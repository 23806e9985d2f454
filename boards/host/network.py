# The host build's `network` module: MicroPython's network.WLAN as its ESP32
# port has it (ports/esp32/network_wlan.c, network_common.c and
# extmod/modnetwork.c, v1.28.0) - the same calls, values, constants and
# errors - on netman and the same air. Both APIs drive one radio and one
# configuration: whichever call came last wins, netman's callbacks fire for
# what WLAN starts, and WLAN reflects what netman.start() started.

import _netman
import netman
from netman import _config

STA_IF = 0
AP_IF = 1

# Status codes: MicroPython's own, then ESP-IDF's wifi_err_reason_t.
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_BEACON_TIMEOUT = 200
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
STAT_ASSOC_FAIL = 203
STAT_CONNECT_FAIL = 203
STAT_HANDSHAKE_TIMEOUT = 204
STAT_NO_AP_FOUND_W_COMPATIBLE_SECURITY = 210
STAT_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD = 211
STAT_NO_AP_FOUND_IN_RSSI_THRESHOLD = 212
_REASON_ASSOC_LEAVE = 8
_REASON_AUTH_LEAVE = 3

MODE_11B = 1
MODE_11G = 2
MODE_11N = 4
MODE_LR = 8

# ESP-IDF's wifi_auth_mode_t (v5.5): the first ten are netman's authmodes.
AUTH_OPEN = 0
AUTH_WEP = 1
AUTH_WPA_PSK = 2
AUTH_WPA2_PSK = 3
AUTH_WPA_WPA2_PSK = 4
AUTH_WPA2_ENTERPRISE = 5
AUTH_WPA3_PSK = 6
AUTH_WPA2_WPA3_PSK = 7
AUTH_WAPI_PSK = 8
AUTH_OWE = 9
AUTH_WPA3_ENT_192 = 10
AUTH_WPA3_EXT_PSK = 11
AUTH_WPA3_EXT_PSK_MIXED_MODE = 12
AUTH_MAX = 17
_AUTHMODES = ("open", "wep", "wpa_psk", "wpa2_psk", "wpa_wpa2_psk", "wpa2_enterprise", "wpa3_psk",
              "wpa2_wpa3_psk", "wapi_psk", "owe")
# What our AP can be: open, or one of the PSK modes.
_AP_SECURITY = (AUTH_OPEN, AUTH_WPA_PSK, AUTH_WPA2_PSK, AUTH_WPA_WPA2_PSK, AUTH_WPA3_PSK, AUTH_WPA2_WPA3_PSK)

_EOPNOTSUPP = 95


def _wifi_error(text):
    # network_common.c, esp_exceptions_helper(): OSError with the driver's words.
    return OSError(text)


def _unknown_error(code):
    return RuntimeError("Wifi Unknown Error 0x%04x" % code)


_ESP_ERR_INVALID_ARG = 0x102

# txpower, pm and protocol are netman.radio()'s settings; what WLAN set
# before the radio was on is handed over when it comes on.
_PM = ("none", "min", "max")  # WIFI_PS_NONE, _MIN_MODEM, _MAX_MODEM
_PROTOCOL = (("b", MODE_11B), ("g", MODE_11G), ("n", MODE_11N), ("lr", MODE_LR))
_RADIO_DEFAULTS = {"txpower": 20.0, "power_save": "min", "protocol": ("b", "g", "n")}
_radio = {}  # netman.radio() settings WLAN set while the radio was off
_dns = [None]
# As on an ESP32, country() only keeps the code (netman.radio(country=) sets the radio's).
_country = ["XX"]
_hostname = [None]  # None: netman's default, mpy-<MAC>


class _Interface:
    def __init__(self):
        self.enabled = False  # on, as WLAN(...).active() answers


_sta_if = _Interface()
_ap_if = _Interface()
# The netman session the flags above describe: a session netman.start()
# began reads as its sections (sta, ap) being on.
_session = [None]
_sta = {"connect_requested": False, "reconnects": -1, "ip": None}
# Our AP as WLAN.config() set it (the key too, until the AP takes it); the
# defaults are ESP-IDF's: ESP_<last 3 bytes of the AP MAC>, open, channel 1.
_ap = {"ssid": None, "key": None, "channel": 1, "hidden": False, "security": None, "max_clients": 4}
_macs = [None]  # (station MAC, AP MAC), once the radio was on


def _running():
    return netman._network is not None


def _sync():
    if netman._network is not _session[0]:
        _session[0] = netman._network
        _sta_if.enabled = _running() and netman._sta is not None
        _ap_if.enabled = _running() and netman._ap is not None


def _sta_active():
    _sync()
    return _running() and _sta_if.enabled


def _ap_active():
    _sync()
    return _running() and _ap_if.enabled and netman._ap is not None


def _mac(interface):
    # The MACs the air gives this process, kept for its life.
    if _macs[0] is None:
        if _running():
            _macs[0] = (netman._mac, _netman.ap_mac())
        else:
            _macs[0] = (_netman.open(), _netman.ap_mac())
            _netman.close()
    return _macs[0][interface]


def _radio_on(interface):
    _sync()
    if not _running():
        sta = {"managed": True}
        if _hostname[0] is not None:
            sta["dhcp_hostname"] = _hostname[0]
        netman.start(sta=sta)
        if _radio:
            netman.radio(**_radio)
            _radio.clear()
        if _sta["ip"] is not None:
            netman._apply_sta({"ip": _sta["ip"]})
        _netman.sta_reconnect_limit(_sta["reconnects"])
        _sync()
        _sta_if.enabled = False
    elif netman._sta is None:
        # netman runs AP-only: the station joins the running network.
        netman._apply_sta({"managed": True})
    interface.enabled = True


def _reason():
    details = _netman.sta_info()
    return details["disconnect_reason"]


def _netman_error(error):
    # A NetError in the words ESP32's MicroPython would use.
    reason = getattr(error, "reason", None)
    if reason == "not_started":
        return _wifi_error("Wifi Not Started")
    if reason == "unsupported":
        return _wifi_error("Wifi Invalid Mode")
    if reason == "not_connected":
        return _wifi_error("Wifi Not Connected")
    if reason == "busy":
        return _wifi_error("Wifi Internal State Error")
    return OSError(5, "Wifi Internal Error: %s" % reason)


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF

    SEC_OPEN = 0
    SEC_WEP = 1
    SEC_WPA = 2
    SEC_WPA2 = 3
    SEC_WPA_WPA2 = 4
    SEC_WPA2_ENT = 5
    SEC_WPA3 = 6
    SEC_WPA2_WPA3 = 7
    SEC_WAPI = 8
    SEC_OWE = 9
    SEC_WPA3_ENT_192 = 10
    SEC_WPA3_EXT_PSK = 11
    SEC_WPA3_EXT_PSK_MIXED_MODE = 12
    SEC_DPP = 13
    SEC_WPA3_ENT = 14
    SEC_WPA2_WPA3_ENT = 15
    SEC_WPA_ENT = 16

    PROTOCOL_DEFAULT = MODE_11B | MODE_11G | MODE_11N
    PROTOCOL_LR = MODE_LR

    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2

    def __new__(cls, interface_id=STA_IF):
        # One object per interface, as network_wlan_make_new() returns.
        if not isinstance(interface_id, int):
            raise TypeError("can't convert %s to int" % type(interface_id).__name__)
        if interface_id == STA_IF:
            return _STA
        if interface_id == AP_IF:
            return _AP
        raise ValueError("invalid WLAN interface identifier")

    def __init__(self, interface_id=STA_IF):
        pass

    def _is_sta(self):
        return self is _STA

    def _require(self, if_id):
        if (STA_IF if self._is_sta() else AP_IF) != if_id:
            raise OSError("STA required" if if_id == STA_IF else "AP required")

    # ---- on and off ----

    def active(self, *flag):
        if len(flag) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if flag:
            self._set_active(bool(flag[0]))
        return _sta_active() if self._is_sta() else _ap_active()

    def _set_active(self, on):
        # One radio, two interfaces: it is on while either is (the station
        # part of netman stays up under an AP alone, as ESP-NOW needs it).
        interface = _sta_if if self._is_sta() else _ap_if
        if on:
            _radio_on(interface)
            if not self._is_sta() and netman._ap is None:
                self._start_ap()
            return
        _sync()
        interface.enabled = False
        if not _running():
            return
        if not _sta_if.enabled and not _ap_if.enabled:
            netman.stop()
        elif self._is_sta():
            _sta["connect_requested"] = False
            if netman.sta_status() not in ("disconnected", "inactive"):
                netman.sta_disconnect()
        elif netman._ap is not None:
            netman.ap_stop()

    def _start_ap(self):
        import time

        settings, psk = _ap_settings()
        if psk is not None:
            settings["psk"] = psk
        netman.ap_config(**settings)
        # network_wlan_active() waits for the interface to be up.
        deadline = time.ticks_add(time.ticks_ms(), 5000)
        while _netman.ap_info()["status"] == "starting" and time.ticks_diff(deadline, time.ticks_ms()) > 0:
            time.sleep_ms(5)

    # ---- the station ----

    def connect(self, ssid=None, key=None, *, bssid=None):
        if not _running():
            raise _wifi_error("Wifi Not Started")
        if not _sta_active():
            raise _wifi_error("Wifi Invalid Mode")
        settings = {}
        if ssid is not None or key is not None or bssid is not None:
            # network_wlan_connect(): the given values form the whole config.
            settings["ssid"] = _text(ssid if ssid is not None else b"")[:32]
            settings["psk"] = _text(key if key is not None else b"")[:64]
            settings["bssid"] = None  # any AP with that SSID, unless one is named
            if bssid is not None:
                settings["bssid"] = _text(bssid)
                if len(settings["bssid"]) != 6:
                    raise ValueError()
            try:
                _config.check_ssid("connect", "ssid", settings["ssid"])
                _config.check_psk("connect", "key", settings["psk"])
            except ValueError:
                raise _wifi_error("Wifi Invalid Password" if settings["ssid"] else "Wifi SSID Invalid")
        settings["dhcp_hostname"] = hostname()
        _sta["connect_requested"] = True
        try:
            netman.sta_connect(**settings)
        except netman.NetError as error:
            raise _netman_error(error)

    def disconnect(self):
        _sta["connect_requested"] = False
        if not _running() or netman._sta is None:
            raise _wifi_error("Wifi Not Started")
        netman.sta_disconnect()

    def isconnected(self):
        if not self._is_sta():
            return _ap_active() and len(netman.ap_stations()) != 0
        return _running() and _netman.sta_status() in ("connected", "degraded") and \
            _netman.sta_info()["ip"] is not None

    def status(self, *param):
        if not param:
            return self._status() if self._is_sta() else None
        if len(param) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if param[0] == "stations":
            self._require(AP_IF)
            if not _ap_active():
                raise _wifi_error("Wifi Invalid Mode")
            return [(s["mac"],) for s in netman.ap_stations()]
        if param[0] == "rssi":
            self._require(STA_IF)
            if not _running():
                raise _wifi_error("Wifi Not Started")
            try:
                return netman.sta_rssi()
            except netman.NetError as error:
                raise _netman_error(error)
        raise ValueError("unknown status param")

    def _status(self):
        # network_wlan_status(), in its order.
        if self.isconnected():
            return STAT_GOT_IP
        reason = _reason() if _running() else None
        if reason == "no_ap_found":
            return STAT_NO_AP_FOUND
        if reason == "auth_failed":
            return STAT_WRONG_PASSWORD
        if reason == "by_request":
            return STAT_IDLE
        if _sta["connect_requested"] and _running() and netman.sta_status() != "inactive":
            limit = _sta["reconnects"]
            if limit < 0 or netman.stats()["reconnect_retry"] < limit:
                return STAT_CONNECTING
        if reason is None:
            return STAT_IDLE
        return {"beacon_timeout": STAT_BEACON_TIMEOUT, "assoc_failed": STAT_ASSOC_FAIL,
                "ap_left": _REASON_AUTH_LEAVE}.get(reason, STAT_CONNECT_FAIL)

    def scan(self):
        if not _sta_active():
            raise _wifi_error("STA must be active")
        # A blocking scan of every channel, hidden networks included, whatever
        # scan_done callback netman has.
        try:
            netman._scan_begin(None, {"show_hidden": True, "results": netman.MAX_SCAN_RESULTS}, "wait")
            result = netman._scan_wait()
        except netman.NetError as error:
            raise _netman_error(error)
        # ESP32's MicroPython reports every network as not hidden.
        return [(_text(n["ssid"]), n["bssid"], n["channel"], n["rssi"], _auth_number(n["authmode"]), False)
                for n in result[1]]

    # ---- addresses ----

    def ifconfig(self, *config):
        if len(config) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if not config:
            return self._addresses()
        value = config[0]
        if isinstance(value, (tuple, list)):
            if len(value) != 4:
                raise ValueError("tuple/list has wrong length")
            address, netmask, gateway, dns = value
            if isinstance(netmask, int):
                netmask = _prefix_mask(netmask)
            self._set_static((address, netmask, gateway, dns))
            return None
        if not self._is_sta() or value != "dhcp":
            raise ValueError("invalid arguments")
        self._set_static(None)
        return None

    def _addresses(self):
        if self._is_sta():
            ip = _netman.sta_info()["ip"] if _running() else None
            return tuple(ip) if ip else ("0.0.0.0",) * 4
        if _ap_active():
            softap = _netman.ap_info()
            if softap["address"] is not None:
                return (softap["address"], softap["netmask"], softap["address"], "0.0.0.0")
        return ("0.0.0.0",) * 4

    def _set_static(self, addresses):
        if not self._is_sta():
            raise OSError(_EOPNOTSUPP, "network: the air gives each AP its own 127.100.N.0/24")
        ip = None
        if addresses is not None:
            ip = _config.sta_section({"ip": addresses}, "ifconfig")["ip"]
        _sta["ip"] = ip
        if _running() and netman._sta is not None:
            netman._apply_sta({"ip": ip})
            if netman.sta_status() in ("connected", "degraded", "associated"):
                netman.sta_connect()  # the new address takes effect by rejoining

    def ipconfig(self, *param, **values):
        if not values:
            if len(param) != 1:
                raise TypeError("must query one param")
            name = param[0]
            if name == "dhcp4":
                if not self._is_sta():
                    raise ValueError("unexpected key")
                return _sta["ip"] is None
            addresses = self._addresses()
            if name == "addr4":
                return (addresses[0], addresses[1])
            if name == "gw4":
                return addresses[2]
            raise ValueError("unexpected key")
        if param:
            raise TypeError("can't specify pos and kw args")
        address, netmask, gateway, dns = self._addresses()
        touched = False
        for name, value in values.items():
            if name == "dhcp4":
                if not self._is_sta():
                    raise ValueError("unexpected key")
                if value:
                    self._set_static(None)
            elif name == "addr4":
                if isinstance(value, str):
                    address, _, prefix = value.partition("/")
                    if prefix:
                        netmask = _prefix_mask(int(prefix))
                else:
                    address, netmask = value
                touched = True
            elif name == "gw4":
                gateway = value
                touched = True
            else:
                raise ValueError("unexpected key")
        if touched:
            self._set_static((address, netmask, gateway, dns if dns != "0.0.0.0" else gateway))

    # ---- configuration ----

    def config(self, *param, **values):
        if param and values:
            raise TypeError("either pos or kw args are allowed")
        if values:
            # network_wlan_config(): the AP's settings change together, or
            # not at all when a key is refused.
            staged = dict(_ap)
            for name, value in values.items():
                self._set(name, value, staged)
            changed = staged != _ap
            _ap.update(staged)
            if changed and _ap_active():
                self._start_ap()  # esp_wifi_set_config() on a running AP restarts it
            return None
        if len(param) != 1:
            raise TypeError("can query only one param")
        return self._get(param[0])

    def _set(self, name, value, staged):
        # The value first, the interface check after (network_wlan_config's order).
        if name == "mac":
            mac = _text(value)
            if len(mac) != 6:
                raise ValueError("invalid buffer length")
            if mac != self._get("mac"):
                raise OSError(_EOPNOTSUPP, "network: the host build's MAC is fixed per process (NETMAN_MAC)")
            return
        if name in ("hostname", "dhcp_hostname"):
            hostname(value)
            return
        if name == "reconnects":
            reconnects = _int(value)
            _sta["reconnects"] = -1 if reconnects < 0 else reconnects
            if _running():
                _netman.sta_reconnect_limit(_sta["reconnects"])
            self._require(STA_IF)
            return
        if name == "txpower":
            power = int(_float(value) * 4)  # esp_wifi_set_max_tx_power() takes quarter dBm
            if not 8 <= power <= 84:
                raise _unknown_error(_ESP_ERR_INVALID_ARG)
            _set_radio("txpower", power / 4)
            return
        if name == "pm":
            mode = _int(value)
            if mode not in (0, 1, 2):
                raise _unknown_error(_ESP_ERR_INVALID_ARG)
            _set_radio("power_save", _PM[mode])
            return
        if name == "protocol":
            bits = _int(value)
            _set_radio("protocol", tuple(n for n, bit in _PROTOCOL if bits & bit))
            return
        if name == "channel":
            channel = _int(value) & 0xFF
            if self._is_sta():
                # Where the radio idles: ESP-NOW's channel (network_wlan.c, esp_wifi_set_channel).
                if not _running():
                    raise _wifi_error("Wifi Not Started")
                if not 1 <= channel <= 13:
                    raise _unknown_error(_ESP_ERR_INVALID_ARG)
                netman.set_channel(channel)
                return
            staged["channel"] = channel
        elif name in ("ssid", "essid"):
            staged["ssid"] = _text(value)[:32]
        elif name == "hidden":
            staged["hidden"] = bool(value)
        elif name in ("security", "authmode"):
            staged["security"] = _int(value)
        elif name in ("key", "password"):
            staged["key"] = _text(value)[:63]
        elif name == "max_clients":
            staged["max_clients"] = _int(value)
        else:
            raise ValueError("unknown config param")
        self._require(AP_IF)

    def _get(self, name):
        is_sta = self._is_sta()
        if name == "mac":
            return _mac(STA_IF if is_sta else AP_IF)
        if name in ("ssid", "essid"):
            if is_sta:
                sta = netman._sta if _running() else None
                return sta["ssid"].decode() if sta and "ssid" in sta else ""
            return _ap_ssid().decode()
        if name == "channel":
            if not _running():
                raise _wifi_error("Wifi Not Started")
            return _netman.radio_channel()
        if name in ("hostname", "dhcp_hostname"):
            self._require(STA_IF)
            return hostname()
        if name == "reconnects":
            self._require(STA_IF)
            return _sta["reconnects"]
        if name == "txpower":
            return _get_radio("txpower")
        if name == "pm":
            return _PM.index(_get_radio("power_save"))
        if name == "protocol":
            return sum(bit for n, bit in _PROTOCOL if n in _get_radio("protocol"))
        if name == "max_clients":
            return _ap["max_clients"]
        if name == "hidden":
            self._require(AP_IF)
            return _ap["hidden"]
        if name in ("security", "authmode"):
            self._require(AP_IF)
            return _ap_security()
        raise ValueError("unknown config param")


def _set_radio(key, value):
    # netman checks it as it checks netman.radio(): what it refuses, an
    # ESP32's driver refuses too (ESP_ERR_INVALID_ARG).
    try:
        _config.radio_section({key: value}, "WLAN.config")
        if _running():
            netman.radio(**{key: value})
        else:
            _radio[key] = value
    except ValueError:
        raise _unknown_error(_ESP_ERR_INVALID_ARG)


def _get_radio(key):
    if _running():
        return netman.radio()[key]
    return _radio.get(key, _RADIO_DEFAULTS[key])


def _ap_ssid():
    if _ap["ssid"] is not None:
        return _ap["ssid"]
    if netman._ap is not None:
        return netman._ap["ssid"]
    mac = _mac(AP_IF)
    return ("ESP_%02X%02X%02X" % (mac[3], mac[4], mac[5])).encode()


def _ap_security():
    if _ap["security"] is not None:
        return _ap["security"]
    if _ap["key"]:
        return AUTH_WPA2_PSK
    return AUTH_OPEN if netman._ap is None or netman._ap.get("open", True) else AUTH_WPA2_PSK


def _ap_settings():
    # netman's AP settings from what WLAN.config() set; the PSK goes on (and
    # is forgotten here) once the AP took it.
    security = _ap_security()
    if security not in _AP_SECURITY:
        raise _unknown_error(_ESP_ERR_INVALID_ARG)
    key = _ap["key"]
    if security == AUTH_OPEN:
        key = b""
    elif key is None and netman._ap is None:
        raise _wifi_error("Wifi Invalid Password")
    settings = {"ssid": _ap_ssid(), "ap_channel": _ap["channel"], "ssid_hidden": _ap["hidden"],
                "max_connections": _ap["max_clients"]}
    try:
        settings = _config.ap_section(settings, "WLAN(AP_IF).config", defaults=False)
        if key:
            _config.check_psk("WLAN(AP_IF).config", "key", key)
    except ValueError:
        raise _wifi_error("Wifi Invalid Password") if key else _unknown_error(_ESP_ERR_INVALID_ARG)
    _ap["key"] = None
    return settings, key


def _text(value):
    if isinstance(value, str):
        return value.encode()
    return bytes(memoryview(value))


def _int(value):
    if not isinstance(value, int):
        raise TypeError("can't convert %s to int" % type(value).__name__)
    return int(value)


def _float(value):
    if not isinstance(value, (int, float)):
        raise TypeError("can't convert %s to float" % type(value).__name__)
    return float(value)


def _prefix_mask(bits):
    mask = (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF
    return "%d.%d.%d.%d" % (mask >> 24, (mask >> 16) & 0xFF, (mask >> 8) & 0xFF, mask & 0xFF)


def _auth_number(name):
    return _AUTHMODES.index(name) if name in _AUTHMODES else AUTH_MAX


_STA = object.__new__(WLAN)
_AP = object.__new__(WLAN)


# ---- module level ----


def hostname(*name):
    """The name DHCP sees (netman's dhcp_hostname: one setting for both APIs)."""
    if len(name) > 1:
        raise TypeError("function takes at most 1 positional arguments")
    if not name:
        if _running() and netman._sta is not None:
            return netman._sta["dhcp_hostname"]
        if _hostname[0] is None:
            return "mpy-" + "".join("%02x" % b for b in _mac(STA_IF))
        return _hostname[0]
    text = _text(name[0])
    if len(text) > 32:
        raise ValueError()
    value = _config.sta_section({"dhcp_hostname": text}, "hostname")["dhcp_hostname"]
    _hostname[0] = value
    if _running() and netman._sta is not None:
        netman._apply_sta({"dhcp_hostname": value})  # used from the next join on
    return None


def country(*code):
    if len(code) > 1:
        raise TypeError("function takes at most 1 positional arguments")
    if not code:
        return _country[0]
    text = _text(code[0])
    if len(text) != 2:
        raise ValueError()
    _country[0] = text.decode()
    return None


def ipconfig(*param, **values):
    if not values:
        if len(param) != 1:
            raise TypeError("must query one param")
        if param[0] != "dns":
            raise ValueError("unexpected key")
        if _dns[0] is not None:
            return _dns[0]
        ip = _netman.sta_info()["ip"] if _running() else None
        return ip[3] if ip else "0.0.0.0"
    if param:
        raise TypeError("can't specify pos and kw args")
    for name, value in values.items():
        if name != "dns":
            raise ValueError("unexpected key")
        try:
            _config.sta_section({"ip": (value, "255.0.0.0", value, value)}, "ipconfig")
        except (TypeError, ValueError):
            raise ValueError("invalid arguments as dns server")
        _dns[0] = value
    return None


def phy_mode(*mode):
    return None
