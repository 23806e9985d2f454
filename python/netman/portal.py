# Provisioning: when the station has no network, a setup access point, a DNS
# responder that answers every name with the AP's address, and a one-page HTTP
# server on that address let a phone give the device its WiFi credentials.
#
# Nothing here blocks: Provisioner.step() does what is ready and returns. It
# is driven by netman's tick (start(provision=...)), by netman.provision()
# and by netman.aio.provision(). Sockets are bound to the AP's address only.
# A PSK typed into the form goes to the station and, on success, to the
# credential store; it is never put in a page, a redirect, a message or a repr.

import binascii
import select
import socket
import time

import _netman
import netman
from netman import _config, credentials

DEFAULTS = {"timeout_s": 300, "fallback_after_s": 60, "grace_s": 10, "title": "WiFi setup",
            "port": 80, "dns_port": 53}


def _title(where, key, value):
    return _config._text(where, key, value, 1, 64).decode()


_KEYS = {
    "ssid": _config.check_ssid,
    "psk": _config.check_psk,
    "timeout_s": _config._int_range(1, 86400),
    "fallback_after_s": _config._int_range(1, 86400),
    "grace_s": _config._int_range(0, 600),
    "title": _title,
    "port": _config._int_range(1, 65535),
    "dns_port": _config._int_range(1, 65535),
    "provisioned": _config._callback,
}


def section(value, where="provision"):
    """Validated provisioning settings, defaults filled in (but ssid)."""
    out = dict(DEFAULTS)
    for key, val in _config.as_dict(value, where).items():
        check = _KEYS.get(key)
        if check is None:
            raise _config._unknown(where, key, _KEYS)
        out[key] = check(where, key, val)
    if out.get("psk") == b"":
        del out["psk"]
    return out


# Bounds on what a client may send and how long it may take.
MAX_HEAD = 2048
MAX_BODY = 1024
MAX_CLIENTS = 4
CLIENT_MS = 10000
# Draining what a client still sends after our answer, so closing does not reset it.
LINGER_MS = 500
JOIN_MS = 20000
SCAN_RESULTS = 16
DNS_TTL = 60
TICK_SERVE_MS = 20
TICK_WATCH_MS = 1000

_REASONS = {"auth_failed": "wrong password?", "no_ap_found": "the network is not in range",
            "timeout": "no answer in time"}


def _ms_since(t):
    return time.ticks_diff(time.ticks_ms(), t)


def _online():
    return _netman.sta_status() in ("connected", "degraded") and _netman.sta_info()["ip"] is not None


def _ssid_text(raw):
    # SSIDs come from the air: shown as text, non-UTF-8 and control bytes escaped.
    try:
        text = raw.decode()
        if all(ord(c) >= 32 for c in text):
            return text
    except UnicodeError:
        pass
    return "".join(chr(b) if 32 <= b < 127 else "\\x%02x" % b for b in raw)


def _html(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _unquote(raw):
    # application/x-www-form-urlencoded to bytes; ValueError if malformed.
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x25:  # %
            digits = raw[i + 1:i + 3]
            if len(digits) != 2:
                raise ValueError
            out.append(int(digits.decode(), 16))
            i += 3
            continue
        out.append(0x20 if c == 0x2B else c)
        i += 1
    return bytes(out)


def _form(body):
    fields = {}
    for pair in body.split(b"&"):
        if pair:
            eq = pair.find(b"=")
            if eq < 0:
                raise ValueError
            fields[_unquote(pair[:eq])] = _unquote(pair[eq + 1:])
    return fields


_STATUS = {200: "OK", 302: "Found", 303: "See Other", 400: "Bad Request", 405: "Method Not Allowed",
           408: "Request Timeout", 413: "Content Too Large", 431: "Request Header Fields Too Large",
           503: "Service Unavailable"}


def _response(code, body=b"", location=None, head=False):
    lines = ["HTTP/1.1 %d %s" % (code, _STATUS[code])]
    if location is not None:
        lines.append("Location: " + location)
    if code == 405:
        lines.append("Allow: GET, HEAD, POST")
    if body:
        lines.append("Content-Type: text/html; charset=utf-8")
    lines.append("Content-Length: %d" % len(body))
    lines.append("Cache-Control: no-store")
    lines.append("Connection: close\r\n\r\n")
    return "\r\n".join(lines).encode() + (b"" if head else body)


_STYLE = (
    "body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#eef1f5;color:#1d2733}"
    "main{max-width:26rem;margin:0 auto;padding:1rem}h1{font-size:1.3rem;margin:.4rem 0 1rem}"
    ".card{background:#fff;border-radius:.6rem;padding:0 1rem;box-shadow:0 1px 3px #0002}"
    ".net{display:flex;align-items:center;gap:.6rem;padding:.7rem 0;border-bottom:1px solid #e5e8ec}"
    ".net:last-child{border:0}.name{flex:1;overflow-wrap:anywhere}.card p{margin:0;padding:.8rem 0}"
    ".bars{display:inline-flex;align-items:flex-end;gap:2px;height:1rem}"
    ".bars i{width:4px;background:#c9d0d8;border-radius:1px}.bars .on{background:#1f8a5b}"
    ".lock{position:relative;width:.7rem;height:.55rem;margin-top:.3rem;background:#56616d;border-radius:2px}"
    ".lock:before{content:'';position:absolute;left:.12rem;top:-.4rem;width:.26rem;height:.32rem;"
    "border:.11rem solid #56616d;border-bottom:0;border-radius:.3rem .3rem 0 0}"
    ".f{display:block;margin:1rem 0 .3rem;font-weight:600}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.65rem;font-size:1rem;"
    "border:1px solid #b9c2cc;border-radius:.4rem}"
    "button{width:100%;margin:1rem 0 .5rem;padding:.8rem;font-size:1rem;border:0;border-radius:.4rem;"
    "background:#1f6fd1;color:#fff}button.alt{background:#dde3ea;color:#1d2733;margin-top:0}"
    ".msg{padding:.7rem 1rem;border-radius:.5rem;margin-bottom:1rem}"
    ".err{background:#fde8e8;color:#8a1c1c}.ok{background:#e3f5ea;color:#14532d}.wait{background:#e4ecf8}"
)


def _bars(rssi):
    level = 4 if rssi >= -55 else 3 if rssi >= -67 else 2 if rssi >= -75 else 1
    return '<span class="bars" title="%d dBm">%s</span>' % (rssi, "".join(
        '<i class="on" style="height:%d%%"></i>' % (25 * n) if n <= level else '<i style="height:%d%%"></i>' % (25 * n)
        for n in (1, 2, 3, 4)))


class _Client:
    def __init__(self, sock):
        self.sock = sock
        self.data = b""
        self.out = None  # the answer, once known
        self.linger = False
        self.since = time.ticks_ms()


class Provisioner:
    """The setup AP, its DNS and HTTP servers, and when they run.

    state: "waiting" (watching the station), "starting" (setup AP coming up),
    "serving", "joining", "connected" (the grace before the AP goes down),
    "done", "timeout", "failed"."""

    def __init__(self, settings, mac, home):
        self.settings = settings
        self.ssid = settings.get("ssid") or ("mpy-setup-%02x%02x" % (mac[4], mac[5])).encode()
        # The network to go back to when the portal times out: (ssid, psk) or None.
        self._home = home
        self.driven = False  # by netman.provision() / aio.provision() instead of the tick
        self.error = None
        self.result = None  # ip_info once provisioned (or joined without the portal)
        self._busy = False
        self._poller = None
        self._http = self._dns = None
        self._clients = []
        self._url = None
        self.message = None  # (css class, HTML) shown above the form
        self.networks = []  # (ssid bytes, rssi, secured), strongest first
        self._scanning = False
        self._join = self._trial = None
        self._offline_since = time.ticks_ms()
        self._set_state("waiting")

    def __repr__(self):
        return "<Provisioner %s ssid=%r>" % (self.state, self.ssid)

    def _set_state(self, state):
        self.state = state
        self._since = time.ticks_ms()
        if netman._network is not None:
            # The tick drives the background: often while serving, seldom while watching.
            if self.driven or state in ("timeout", "failed", "done"):
                _netman.tick(0)
            else:
                _netman.tick(TICK_WATCH_MS if state == "waiting" else TICK_SERVE_MS)

    def drive(self, driven):
        """Driven by a caller's loop (True) or by netman's tick (False)."""
        self.driven = driven
        self._set_state(self.state)

    def info(self):
        return {"state": self.state, "ssid": _ssid_text(self.ssid),
                "url": self._url if self._http is not None else None}

    # ---- when the portal runs ---------------------------------------------

    def step(self, wait_ms=0):
        """Do what is due; wait up to wait_ms for a client when serving."""
        if self._busy:
            return  # a tick arriving while a driven step runs
        self._busy = True
        try:
            self._step(wait_ms)
        finally:
            self._busy = False

    def _step(self, wait_ms):
        state = self.state
        if state == "waiting":
            if _online():
                self._offline_since = time.ticks_ms()
                self.result = _netman.sta_info()["ip"][:3]
            elif "ssid" not in netman._sta or _ms_since(self._offline_since) >= self.settings["fallback_after_s"] * 1000:
                self._open()
        elif state == "starting":
            ap = _netman.ap_info()
            if ap["status"] == "started":
                self._serve_on(ap["address"])
            elif ap["status"] == "failed":
                self._fail(netman.NetError(ap["reason"], "provision: the setup AP did not start: " + ap["reason"]))
        elif state in ("serving", "joining", "connected"):
            self._serve(wait_ms)
            if self.state == "joining":
                self._check_join()
            elif self.state == "connected" and _ms_since(self._since) >= self.settings["grace_s"] * 1000:
                self._close()
                self._set_state("done")
            elif self.state == "serving" and _ms_since(self._active_since) >= self.settings["timeout_s"] * 1000:
                self._timed_out()
        if self.state in ("done", "timeout") and not self.driven:
            # In the background the watch goes on: a network to go back to, or a new one.
            if self.state == "done" or self._home is not None:
                self._offline_since = time.ticks_ms()
                self._set_state("waiting")

    def _open(self):
        # The radio stays on the setup AP's channel: no joining in the background.
        self.result = None
        _netman.sta_reconnect_policy(False, 0, 0)
        if _netman.sta_status() not in ("inactive", "disconnected", "disconnecting"):
            netman.sta_disconnect()
        settings = dict(_config.AP_DEFAULTS)
        settings["ssid"] = self.ssid
        if "psk" in self.settings:
            settings["psk"] = self.settings["psk"]
        netman._start_ap(settings)
        self._active_since = time.ticks_ms()
        self.message = None
        self.networks = []
        self._scanning = False
        self._set_state("starting")

    def _serve_on(self, address):
        self.address = address
        port = self.settings["port"]
        self._hosts = (address.encode(), ("%s:%d" % (address, port)).encode())
        self._url = "http://%s/" % (address if port == 80 else "%s:%d" % (address, port))
        self._address_bytes = bytes(int(part) for part in address.split("."))
        try:
            self._http = self._bind(socket.SOCK_STREAM, port, "HTTP")
            self._dns = self._bind(socket.SOCK_DGRAM, self.settings["dns_port"], "DNS")
        except netman.NetError as error:
            self._fail(error)
            return
        self._poller = select.poll()
        self._poller.register(self._http, select.POLLIN)
        self._poller.register(self._dns, select.POLLIN)
        print("netman: setup AP '%s' up; portal at %s" % (_ssid_text(self.ssid), self._url))
        self._scan()
        self._set_state("serving")

    def _bind(self, kind, port, what):
        sock = socket.socket(socket.AF_INET, kind)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(socket.getaddrinfo(self.address, port)[0][-1])
            if kind == socket.SOCK_STREAM:
                sock.listen(MAX_CLIENTS)
            sock.setblocking(False)
        except OSError as error:
            sock.close()
            hint = ""
            if error.args[0] == 13:  # EACCES
                hint = "; ports below 1024 need root or CAP_NET_BIND_SERVICE: give provision={'%s': ...}" % (
                    "port" if what == "HTTP" else "dns_port")
            raise netman.NetError("io_error", "provision: cannot serve %s on %s port %d (errno %d)%s"
                                  % (what, self.address, port, error.args[0], hint))
        return sock

    def _fail(self, error):
        print("netman: provisioning failed:", error)
        self.error = error
        self._close()
        self._resume_home()
        self._set_state("failed")

    def _timed_out(self):
        print("netman: setup portal closed: no network provisioned within %d s" % self.settings["timeout_s"])
        self._close()
        self._resume_home()
        self._set_state("timeout")

    def _resume_home(self):
        if self._home is not None:
            netman.sta_connect(ssid=self._home[0], psk=self._home[1])
        self._offline_since = time.ticks_ms()

    def close(self):
        """Sockets closed, setup AP down (netman.stop() calls this too)."""
        self._close()
        if netman._network is not None:
            _netman.tick(0)

    def _close(self):
        for client in self._clients:
            client.sock.close()
        self._clients = []
        for sock in (self._http, self._dns):
            if sock is not None:
                sock.close()
        self._http = self._dns = self._poller = None
        if netman._network is not None and netman._ap is not None:
            netman._stop_ap()

    # ---- scanning and joining ---------------------------------------------

    def _scan(self):
        try:
            netman._scan_begin(None, {"results": min(SCAN_RESULTS, netman.MAX_SCAN_RESULTS)}, "wait")
            self._scanning = True
        except netman.NetError:
            pass  # a scan runs already: keep the list we have

    def _scan_progress(self):
        if not self._scanning:
            return
        try:
            result = netman._scan_finished()
        except netman.NetError:
            result = (0, [])
        if result is None:
            return
        self._scanning = False
        seen = [self.ssid]
        networks = []
        for network in result[1]:  # strongest first
            raw = network["ssid"]
            raw = raw if isinstance(raw, bytes) else raw.encode()
            if raw and raw not in seen:
                seen.append(raw)
                networks.append((raw, network["rssi"], network["authmode"] != "open"))
        self.networks = networks

    def _connect(self, fields):
        other = fields.get(b"other", b"")
        try:
            ssid = other or binascii.unhexlify(fields.get(b"net", b""))
        except ValueError:
            ssid = b""
        psk = fields.get(b"psk", b"")
        self._active_since = time.ticks_ms()  # a user is here: the timeout starts again
        if not 1 <= len(ssid) <= 32:
            self.message = ("err", "Choose a network, or type the name of a hidden one (1 to 32 bytes).")
            return
        try:
            _config.check_psk("provision", "psk", psk)
        except ValueError:
            self.message = ("err", "The password must be 8 to 63 characters (or 64 hex digits), "
                                   "or empty for an open network.")
            return
        try:
            self._join = netman._StaWait(None, {"ssid": ssid, "psk": psk}, JOIN_MS)
        except netman.NetError as error:
            self.message = ("err", "Could not start joining: " + error.reason)
            return
        # Each try once: a wrong password must not be retried in the background.
        _netman.sta_reconnect_policy(False, 0, 0)
        self._trial = (ssid, psk)
        self.message = None
        self._set_state("joining")

    def _check_join(self):
        ssid, psk = self._trial
        try:
            done, ip_info = self._join.poll()
        except netman.NetError as error:
            self._trial = self._join = None
            if _netman.sta_status() not in ("disconnected", "disconnecting"):
                netman.sta_disconnect()
            hint = _REASONS.get(error.reason)
            self.message = ("err", "Could not join <b>%s</b>: <code>%s</code>%s" % (
                _html(_ssid_text(ssid)), error.reason, " (%s)" % hint if hint else ""))
            self._set_state("serving")
            return
        if not done:
            return
        self._trial = self._join = None
        try:
            credentials.store(sta=(ssid, psk))
        except netman.NetError as error:
            print("netman: provisioning: the credentials were not stored:", error.reason)
        self._home = (ssid, psk)
        netman._apply_sta({})  # the application's reconnect policy again
        self.result = ip_info
        self.message = ("ok", "Connected to <b>%s</b>. Address: <code>%s</code>. This setup network closes in %d s." % (
            _html(_ssid_text(ssid)), ip_info[0], self.settings["grace_s"]))
        print("netman: provisioned '%s'; address %s" % (_ssid_text(ssid), ip_info[0]))
        self._set_state("connected")
        callback = self.settings.get("provisioned")
        if callback is not None:
            try:
                callback(_ssid_text(ssid))
            except Exception as error:  # reported, like any callback; the portal goes on
                import sys

                sys.print_exception(error)

    # ---- sockets ----------------------------------------------------------

    def _serve(self, wait_ms):
        self._scan_progress()
        for ready in self._poller.poll(wait_ms):
            sock = ready[0]
            if sock is self._http:
                self._accept()
            elif sock is self._dns:
                self._dns_query()
            else:
                for client in self._clients:
                    if client.sock is sock:
                        self._client_io(client)
                        break
        for client in self._clients[:]:
            limit = LINGER_MS if client.out == b"" else CLIENT_MS
            if _ms_since(client.since) >= limit:
                if client.out is None:
                    self._answer(client, _response(408))
                else:
                    self._drop(client)

    def _accept(self):
        try:
            sock, _ = self._http.accept()
        except OSError:
            return
        if len(self._clients) >= MAX_CLIENTS:
            sock.close()
            return
        sock.setblocking(False)
        self._clients.append(_Client(sock))
        self._poller.register(sock, select.POLLIN)

    def _drop(self, client):
        self._poller.unregister(client.sock)
        client.sock.close()
        self._clients.remove(client)

    def _answer(self, client, data):
        # A request refused (4xx) may not have been read to its end.
        client.linger = data[9:10] == b"4"
        client.out = data
        client.since = time.ticks_ms()
        self._poller.modify(client.sock, select.POLLIN | select.POLLOUT)

    def _client_io(self, client):
        try:
            if client.out:
                sent = client.sock.send(client.out)
                client.out = client.out[sent:]
                if not client.out:
                    # Answered. Closing with unread bytes would reset the
                    # connection, and the client might lose the answer: a
                    # client still sending is read for a moment first.
                    if not client.linger:
                        self._drop(client)
                        return
                    client.since = time.ticks_ms()
                    self._poller.modify(client.sock, select.POLLIN)
                return
            data = client.sock.recv(512)
        except OSError:
            self._drop(client)
            return
        if not data:
            self._drop(client)
        elif client.out is None:
            client.data += data
            answer = self._request(client.data)
            if answer is not None:
                client.data = b""
                self._answer(client, answer)

    def _request(self, data):
        # The answer to a complete request, or None while more must come.
        end = data.find(b"\r\n\r\n")
        if end < 0 or end > MAX_HEAD:
            return _response(431) if len(data) > MAX_HEAD else None
        lines = data[:end].split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or not parts[1].startswith(b"/") or parts[2] not in (b"HTTP/1.0", b"HTTP/1.1"):
            return _response(400)
        headers = {}
        for line in lines[1:]:
            colon = line.find(b":")
            if colon <= 0 or b" " in line[:colon]:
                return _response(400)
            headers[line[:colon].lower()] = line[colon + 1:].strip()
        length = headers.get(b"content-length", b"0")
        if b"transfer-encoding" in headers or not length.isdigit():
            return _response(400)
        if int(length) > MAX_BODY:
            return _response(413)
        if len(data) < end + 4 + int(length):
            return None
        return self._route(parts[0], parts[1].split(b"?")[0], headers.get(b"host"), data[end + 4:end + 4 + int(length)])

    def _route(self, method, path, host, body):
        if method not in (b"GET", b"HEAD", b"POST"):
            return _response(405)
        # Every other name and path (the systems' connectivity probes among
        # them) is sent to the portal page, so the phone shows it by itself.
        if (host is not None and host not in self._hosts) or path not in (b"/", b"/connect", b"/scan"):
            return _response(302, location=self._url)
        if method != b"POST":
            return _response(302, location=self._url) if path != b"/" else _response(
                200, self._page(), head=method == b"HEAD")
        if path == b"/":
            return _response(405)
        if self.state == "serving":
            if path == b"/scan":
                self._scan()
            else:
                try:
                    fields = _form(body)
                except ValueError:
                    return _response(400)
                self._connect(fields)
        # Post/redirect/get: reloading the page never posts the password again.
        return _response(303, location="/")

    # Phones on the setup AP ask it for names: the boards' DHCP servers name
    # the AP itself as the DNS server (MicroPython's shared/netutils/
    # dhcpserver.c, DEFAULT_DNS; ESP-IDF's dhcpserver.c, add_offer_options,
    # when no DNS server is configured).
    def _dns_query(self):
        try:
            query, client = self._dns.recvfrom(512)
        except OSError:
            return
        answer = self._dns_answer(query)
        if answer is not None:
            try:
                self._dns.sendto(answer, client)
            except OSError:
                pass

    def _dns_answer(self, query):
        # Every name is us (A records); other types get an empty answer. A
        # packet that is not one plain question is ignored.
        if len(query) < 17 or query[2] & 0xF8 or query[4:6] != b"\x00\x01":
            return None
        i = 12
        while True:
            if i + 5 > len(query) or i > 12 + 255:
                return None
            if not query[i]:
                break
            if query[i] & 0xC0:
                return None
            i += 1 + query[i]
        question = query[12:i + 5]
        qtype, qclass = query[i + 1:i + 3], query[i + 3:i + 5]
        record = b""
        if qtype in (b"\x00\x01", b"\x00\xff") and qclass in (b"\x00\x01", b"\x00\xff"):
            record = (b"\xc0\x0c\x00\x01\x00\x01" + DNS_TTL.to_bytes(4, "big") + b"\x00\x04"
                      + self._address_bytes)
        flags = bytes((0x84 | query[2] & 0x01, 0))  # a response, authoritative, RD as asked
        return query[:2] + flags + b"\x00\x01\x00" + (b"\x01" if record else b"\x00") + b"\x00\x00\x00\x00" + question + record

    # ---- the page ---------------------------------------------------------

    def _page(self):
        title = _html(self.settings["title"])
        refresh = self.state == "joining" or (self._scanning and not self.networks)
        out = ['<!DOCTYPE html><html><head><meta charset="utf-8">'
               '<meta name="viewport" content="width=device-width,initial-scale=1">',
               '<meta http-equiv="refresh" content="1">' if refresh else "",
               "<title>%s</title><style>%s</style></head><body><main><h1>%s</h1>" % (title, _STYLE, title)]
        if self.message is not None:
            out.append('<p class="msg %s" id="outcome">%s</p>' % self.message)
        if self.state == "joining":
            out.append('<p class="msg wait" id="outcome">Connecting to <b>%s</b>&hellip;</p>'
                       % _html(_ssid_text(self._trial[0])))
        elif self.state == "serving":
            out.append('<form method="post" action="/connect"><div class="card" id="networks">')
            for i, (raw, rssi, secured) in enumerate(self.networks):
                out.append('<label class="net"><input type="radio" name="net" value="%s"%s>%s'
                           '<span class="name">%s</span>%s</label>' % (
                               binascii.hexlify(raw).decode(), " checked" if i == 0 else "", _bars(rssi),
                               _html(_ssid_text(raw)), '<span class="lock" title="secured"></span>' if secured else ""))
            if not self.networks:
                out.append("<p>%s</p>" % ("Looking for networks&hellip;" if self._scanning else "No network found."))
            out.append('</div><label class="f" for="other">Hidden network</label>'
                       '<input type="text" id="other" name="other" maxlength="32" autocomplete="off" '
                       'placeholder="its name, or leave empty to use the list">'
                       '<label class="f" for="psk">Password</label>'
                       '<input type="password" id="psk" name="psk" maxlength="64" autocomplete="off">'
                       '<button type="submit">Connect</button></form>'
                       '<form method="post" action="/scan"><button class="alt" type="submit">Scan again</button></form>')
        out.append("</main></body></html>")
        return "".join(out).encode()


def _settings(config, keys, where):
    return section(_config.one_form(config, keys, where) if (config is not None or keys) else {})


def steps(config, keys, where, wait_ms):
    """netman.provision() as a generator: each turn does one step (waiting up
    to wait_ms for clients) and yields None, then yields ip_info. Closing it
    early, or an error, closes the portal and stops a network it started."""
    provisioner, started_here = begin(config, keys, where)
    result = None
    try:
        while result is None:
            result = outcome(provisioner, started_here)
            if result is None:
                provisioner.step(wait_ms)
                yield None
    except BaseException:
        abandon(provisioner, started_here)
        raise
    yield result


def begin(config, keys, where):
    """The Provisioner for a netman.provision() call: netman started (station
    only) if it is not running. Returns (provisioner, started_here)."""
    settings = _settings(config, keys, where)
    if netman._network is None:
        netman.start(sta={}, provision=settings)
        started_here = True
    else:
        netman._require_sta()
        if netman._portal is None:
            stored = credentials.load()["sta"]
            netman._portal = Provisioner(settings, netman._mac, tuple(stored) if stored else None)
        started_here = False
    provisioner = netman._portal
    provisioner.drive(True)
    return provisioner, started_here


def outcome(provisioner, started_here):
    """ip_info once the station is online (through the portal or not), None
    while it goes on; NetError when the portal timed out or failed."""
    if provisioner.state in ("done", "waiting") and provisioner.result is not None:
        result = provisioner.result
    elif provisioner.state in ("timeout", "failed"):
        error = provisioner.error or netman.NetError(
            "timeout", "provision: no network provisioned within %d s" % provisioner.settings["timeout_s"])
    else:
        return None
    if provisioner.result is None:
        abandon(provisioner, started_here)
        raise error
    abandon(provisioner, False)
    return result


def abandon(provisioner, started_here):
    """The call is over: no portal goes on in the background, and a network
    the call started is stopped."""
    if netman._portal is provisioner:
        provisioner.close()
        netman._portal = None
    if started_here and netman._network is not None:
        netman.stop()
