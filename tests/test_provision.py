"""Provisioning: the setup AP's captive portal, in headless Chromium (Debian's
chromium + chromium-driver through Selenium), its DNS catch-all with
dnspython, and its probes and request limits over plain sockets. Everything
runs on loopback: the device's setup AP is 127.<octet>.1.1, the octet picked
per test so that concurrent suites on one machine do not share ports."""

from __future__ import annotations

import random
import re
import shutil
import socket
import time
from pathlib import Path
from typing import Iterator

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from conftest import NO_DISCONNECTED_CB, REPO, DeviceFactory, Probe
from netsim.launch import AirProcess

# The page as the test saw it (docs/provisioning*.png are copies from a run).
SCREENSHOTS = REPO / "build" / "screenshots"
HOME_PSK = "secret123"
WRONG_PSK = "not-the-password"


def portal_air(octet: int, extra: str = "") -> str:
    return f"""
[dhcp]
softap_octet = {octet}

[[ap]]
ssid = "home"
psk = "{HOME_PSK}"
channel = 6
rssi = -50

[[ap]]
ssid = "office"
psk = "office-password"
channel = 11
rssi = -70

[[ap]]
ssid = "cafe"
channel = 1
rssi = -80
{extra}"""


@pytest.fixture
def octet(request: pytest.FixtureRequest) -> int:
    return random.Random(request.node.nodeid + str(time.time())).randrange(101, 250)


def air_events(toml: str):  # type: ignore[no-untyped-def]
    """Decorator: scripted [[event]] tables for this test's air."""
    def mark(test):  # type: ignore[no-untyped-def]
        test.air_events = toml
        return test
    return mark


# The station's network gone from the start.
HOME_DOWN = air_events("""
[[event]]
at_ms = 0
action = "ap_down"
ssid = "home"
""")


@pytest.fixture
def air(request: pytest.FixtureRequest, tmp_path: Path, octet: int) -> Iterator[AirProcess]:
    """The portal air: home, office and cafe, device APs on 127.<octet>.N.0/24."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(portal_air(octet, getattr(request.function, "air_events", "")))
    process = AirProcess(tmp_path, scenario)
    yield process
    process.stop()


# The device: a plain script that starts netman with provisioning and sleeps;
# the portal runs in the background on netman's tick.
BACKGROUND_APP = """
import time
import netman

def provisioned(ssid):
    print("PROVISIONED", ssid, netman.info()["provision"]["state"])

netman.start(sta={"got_ip": lambda ip: print("GOT_IP", ip)},
             provision={"provisioned": provisioned, "grace_s": 2, "title": "Kitchen sensor setup"%s})
print("READY")
while True:
    time.sleep_ms(100)
"""


def start_portal(device: DeviceFactory, nvs: Path, settings: str = "", name: str = "dev",
                 mac: str = "02:00:00:00:ab:cd") -> tuple[object, str]:
    """A device serving its portal; (its process, the portal's URL)."""
    process = device(BACKGROUND_APP % settings, name=name, mac=mac, env={"NETMAN_NVS": str(nvs)})
    url = process.wait_line(r"portal at (http://\S+)", 10).group(1)
    return process, url


def http(address: str, port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read the whole answer (until the server closes)."""
    with socket.create_connection((address, port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def wait_for_scan(address: str, port: int, host: bytes) -> bytes:
    """The page once the portal's first scan is in it."""
    deadline = time.monotonic() + 10
    while True:
        page = http(address, port, b"GET / HTTP/1.1\r\n" + host + b"\r\n")
        if b"home" in page or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# ---- the browser ------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=420,900"]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for binary in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not Path(binary).exists():
            pytest.fail(f"{binary} is missing: apt-get install chromium chromium-driver (make test does)",
                        pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def wait_for(driver: object, css: str, text: str, timeout: float = 15.0) -> object:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def test_browser_provisions_a_new_device(device: DeviceFactory, air, browser, tmp_path: Path, octet: int) -> None:
    from selenium.webdriver.common.by import By

    nvs = tmp_path / "dev.nvs"
    process, url = start_portal(device, nvs)
    address = f"127.{octet}.1.1"
    assert url == f"http://{address}/"  # port 80 on the setup AP's address
    assert {a["ssid"]: a for a in air.client.status()["aps"]}["mpy-setup-abcd"]["authmode"] == "open"

    browser.get(url)
    assert browser.title == "Kitchen sensor setup"
    wait_for(browser, "#networks", "home")
    rows = browser.find_elements(By.CSS_SELECTOR, "#networks .net")
    assert [r.find_element(By.CSS_SELECTOR, ".name").text for r in rows] == ["home", "office", "cafe"]
    assert [len(r.find_elements(By.CSS_SELECTOR, ".lock")) for r in rows] == [1, 1, 0]
    assert [len(r.find_elements(By.CSS_SELECTOR, ".bars i.on")) for r in rows] == [4, 2, 1]
    assert rows[0].find_element(By.CSS_SELECTOR, "input").is_selected()  # the strongest, preselected
    assert browser.find_element(By.ID, "other").get_attribute("value") == ""
    assert browser.find_element(By.ID, "psk").get_attribute("type") == "password"

    # A wrong password: the page says why and shows the form again.
    browser.find_element(By.ID, "psk").send_keys(WRONG_PSK)
    browser.find_element(By.CSS_SELECTOR, "form[action='/connect'] button").click()
    outcome = wait_for(browser, "#outcome", "auth_failed")
    assert "home" in outcome.text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "provisioning.png"))
    assert browser.find_elements(By.ID, "psk") and browser.find_element(By.ID, "psk").get_attribute("value") == ""
    assert "PROVISIONED" not in process.output

    # The right one: the page shows the address the home AP gave.
    browser.find_element(By.CSS_SELECTOR, "#networks .net input").click()
    browser.find_element(By.ID, "psk").send_keys(HOME_PSK)
    browser.find_element(By.CSS_SELECTOR, "form[action='/connect'] button").click()
    outcome = wait_for(browser, "#outcome", "Connected to home")
    shown = re.search(r"Address: (127\.77\.0\.\d+)", outcome.text)
    assert shown, outcome.text
    browser.save_screenshot(str(SCREENSHOTS / "provisioning-connected.png"))
    assert not browser.find_elements(By.ID, "psk")  # no form once connected

    got_ip = process.wait_line(r"^GOT_IP \('(127\.77\.0\.\d+)'", 5).group(1)
    assert got_ip == shown.group(1)
    process.wait_line(r"^PROVISIONED home connected$", 5)
    station = {d["name"]: d for d in air.client.status()["devices"]}["dev"]
    assert station["ssid"] == "home" and station["ip"] == got_ip, station

    # After the grace the setup AP goes down; the station stays.
    deadline = time.monotonic() + 10
    while "mpy-setup-abcd" in {a["ssid"] for a in air.client.status()["aps"]}:
        assert time.monotonic() < deadline, "the setup AP is still up"
        time.sleep(0.1)
    with pytest.raises(OSError):
        socket.create_connection((address, 80), timeout=2).close()
    assert {d["name"]: d for d in air.client.status()["devices"]}["dev"]["ssid"] == "home"

    # The pair is stored; no secret went to the console or the air's log.
    blob = nvs.read_bytes()
    assert b"home" in blob and HOME_PSK.encode() in blob
    for secret in (HOME_PSK, WRONG_PSK):
        assert secret not in process.output and secret not in air.output
        assert secret not in browser.page_source
    process.stop()

    # A new device process with no configuration joins with them.
    again = device("import time\nimport netman\n"
                   "netman.start(sta={'got_ip': lambda ip: print('JOINED', ip)})\ntime.sleep_ms(3000)\n",
                   name="again", env={"NETMAN_NVS": str(nvs)})
    again.wait_line(r"^JOINED \('127\.77\.0\.\d+'", 5)
    assert {d["name"]: d for d in air.client.status()["devices"]}["again"]["ssid"] == "home"


def test_browser_follows_a_connectivity_probe_to_the_portal(device: DeviceFactory, air, browser, tmp_path: Path,
                                                           octet: int) -> None:
    # What a phone does on joining: fetch its probe URL by name; our DNS (here
    # Chromium's host rules stand in for it) sends the name to us, and the
    # redirect lands on the portal.
    process, url = start_portal(device, tmp_path / "dev.nvs")
    address = url.split("/")[2]
    answer = http(address, 80, b"GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n")
    assert status_of(answer) == 302 and f"Location: {url}".encode() in answer
    browser.get(url + "hotspot-detect.html")  # any path on us: the portal
    assert browser.current_url == url
    wait_for(browser, "#networks", "home")
    process.stop()


# ---- DNS --------------------------------------------------------------------


def test_dns_answers_every_name_with_the_ap_address(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    process, url = start_portal(device, tmp_path / "dev.nvs")
    address = url.split("/")[2]
    for name in ("connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com",
                 "detectportal.firefox.com", "anything.example"):
        reply = dns.query.udp(dns.message.make_query(name, "A"), address, port=53, timeout=3)
        assert reply.rcode() == dns.rcode.NOERROR
        assert [r.to_text() for rrset in reply.answer for r in rrset] == [address], name
        assert reply.answer[0].name.to_text() == name + "."
        assert reply.flags & dns.flags.AA
    # Other types: an empty answer, so the client asks for A.
    reply = dns.query.udp(dns.message.make_query("captive.apple.com", "AAAA"), address, port=53, timeout=3)
    assert reply.rcode() == dns.rcode.NOERROR and reply.answer == []
    # Junk gets no answer, and the responder goes on.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        for junk in (b"", b"\x00" * 5, b"\x12\x34\x01\x00\x00\x01" + b"\x00" * 6 + b"\x3fabc",
                     b"\x12\x34\x81\x80" + b"\x00" * 8, bytes(range(256)) * 2):
            sock.sendto(junk, (address, 53))
            with pytest.raises(socket.timeout):
                sock.recv(512)
    reply = dns.query.udp(dns.message.make_query("still.there", "A"), address, port=53, timeout=3)
    assert [r.to_text() for rrset in reply.answer for r in rrset] == [address]
    process.stop()


# ---- HTTP over plain sockets -------------------------------------------------

PROBES = [
    ("connectivitycheck.gstatic.com", "/generate_204"),      # Android
    ("clients3.google.com", "/generate_204"),
    ("www.google.com", "/gen_204"),
    ("captive.apple.com", "/hotspot-detect.html"),            # iOS, macOS
    ("www.apple.com", "/library/test/success.html"),
    ("www.msftconnecttest.com", "/connecttest.txt"),          # Windows
    ("www.msftncsi.com", "/ncsi.txt"),
    ("detectportal.firefox.com", "/canonical.html"),          # Firefox
    ("nmcheck.gnome.org", "/check_network_status.txt"),       # GNOME
]


def test_connectivity_probes_are_redirected_to_the_portal(device: DeviceFactory, air, tmp_path: Path,
                                                          octet: int) -> None:
    process, url = start_portal(device, tmp_path / "dev.nvs", ', "port": 8080')
    address = url.split("/")[2].split(":")[0]
    assert url == f"http://{address}:8080/"
    for host, path in PROBES:
        for method in (b"GET", b"HEAD"):
            answer = http(address, 8080, method + f" {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert status_of(answer) == 302, (host, path, answer)
            assert f"\r\nLocation: {url}\r\n".encode() in answer
    # Unknown paths on our own address too; the page itself is served.
    own = f"{address}:8080".encode()
    answer = http(address, 8080, b"GET /admin HTTP/1.1\r\nHost: " + own + b"\r\n\r\n")
    assert status_of(answer) == 302
    answer = http(address, 8080, b"GET / HTTP/1.1\r\nHost: " + own + b"\r\n\r\n")
    assert status_of(answer) == 200 and b"text/html" in answer and b"<form" in answer
    head = http(address, 8080, b"HEAD / HTTP/1.1\r\nHost: " + own + b"\r\n\r\n")
    assert status_of(head) == 200 and head.endswith(b"\r\n\r\n")
    # No external assets: nothing in the page points anywhere else.
    assert not re.search(rb"(src|href)=|@import|url\(", answer)
    process.stop()


def test_bad_requests_are_bounded(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    process, url = start_portal(device, tmp_path / "dev.nvs", ', "port": 8080')
    address = url.split("/")[2].split(":")[0]
    host = f"Host: {address}:8080\r\n".encode()
    # A slow client first: it must not hold up the others, and is dropped.
    slow = socket.create_connection((address, 8080), timeout=15)
    slow.sendall(b"GET / HTTP/1.1\r\n")
    started = time.monotonic()

    assert status_of(http(address, 8080, b"GET / HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 4000 + b"\r\n\r\n")) == 431
    assert status_of(http(address, 8080, b"POST /connect HTTP/1.1\r\n" + host
                          + b"Content-Length: 100000\r\n\r\n" + b"x" * 2000)) == 413
    for junk in (b"HELLO\r\n\r\n", b"GET /\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET nothing HTTP/1.1\r\n\r\n",
                 b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                 b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: twelve\r\n\r\n",
                 b"POST /connect HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: 7\r\n\r\npsk=%zz"):
        assert status_of(http(address, 8080, junk)) == 400, junk
    assert status_of(http(address, 8080, b"DELETE / HTTP/1.1\r\n" + host + b"\r\n")) == 405
    # A form the portal refuses: the page says why, nothing is joined.
    form = b"net=&other=&psk=short"
    answer = http(address, 8080, b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(form) + form)
    assert status_of(answer) == 303 and b"\r\nLocation: /\r\n" in answer and b"short" not in answer
    page = http(address, 8080, b"GET / HTTP/1.1\r\n" + host + b"\r\n")
    assert b"Choose a network" in page

    # More clients than it serves at once: the extra one is closed at once.
    idle = [socket.create_connection((address, 8080), timeout=5) for _ in range(3)]
    extra = socket.create_connection((address, 8080), timeout=5)
    assert extra.recv(100) == b""
    for sock in idle + [extra]:
        sock.close()

    # The slow client gets 408 after 10 s, not before.
    answer = slow.recv(4096)
    waited = time.monotonic() - started
    assert status_of(answer) == 408 and 9 <= waited <= 15, waited
    slow.close()
    assert process.proc.poll() is None
    assert status_of(http(address, 8080, b"GET / HTTP/1.1\r\n" + host + b"\r\n")) == 200
    process.stop()


def test_serves_only_on_the_ap_address(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    port = 18000 + octet
    process, url = start_portal(device, tmp_path / "dev.nvs", f', "port": {port}, "dns_port": {port}')
    assert url == f"http://127.{octet}.1.1:{port}/"
    for other in ("127.0.0.1", f"127.{octet}.1.2", "127.77.0.1"):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((other, port), timeout=2).close()
    process.stop()


# ---- when it runs, and when it stops ---------------------------------------


def test_no_portal_when_the_station_joins(probe, air, octet: int) -> None:
    dev: Probe = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB), provision={'fallback_after_s': 1})")
    dev.wait_event("got_ip")
    time.sleep(1.5)
    provision = eval(dev.value("netman.info()['provision']"))
    assert provision["state"] == "waiting" and provision["url"] is None and provision["ssid"].startswith("mpy-setup-")
    assert [a for a in air.client.status()["aps"] if a["ssid"].startswith("mpy-setup")] == []


@HOME_DOWN
def test_fallback_after_the_station_fails_for_fallback_after_s(probe, air, octet: int) -> None:
    port = 18000 + octet
    dev: Probe = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB), "
                       f"provision={{'fallback_after_s': 2, 'port': {port}, 'dns_port': {port}}})")
    time.sleep(1.0)
    assert eval(dev.value("netman.info()['provision']['state']")) == "waiting"
    assert not [a for a in air.client.status()["aps"] if a["ssid"].startswith("mpy-setup")]
    url = f"http://127.{octet}.1.1:{port}/"
    dev.process.wait_line("portal at " + re.escape(url), 5)
    assert eval(dev.value("netman.info()['provision']")) == {"state": "serving", "ssid": "mpy-setup-0001", "url": url}
    # The station stopped trying while the portal runs (the radio stays on the AP's channel).
    assert dev.value("netman.sta_status()") == "'disconnected'"


def test_timeout_closes_the_portal_and_provision_raises(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    port = 19000 + octet
    process = device(f"""
import netman
try:
    netman.provision(timeout_s=2, port={port}, dns_port={port})
except netman.NetError as e:
    print("ERR", e.reason, e)
print("RUNNING", netman._network is not None)
""", env={"NETMAN_NVS": str(tmp_path / "dev.nvs")})
    process.wait_line(r"portal at", 10)
    started = time.monotonic()
    line = process.wait_line(r"^ERR ", 10).string
    assert line.startswith("ERR timeout provision: no network provisioned within 2 s"), line
    assert 1.5 <= time.monotonic() - started <= 5
    process.wait_line(r"^RUNNING False$", 5)
    assert air.client.history("ap_stopped")


def test_a_port_in_use_is_a_clear_error(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    port = 20000 + octet
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        holder.bind((f"127.{octet}.1.1", port))
        holder.listen(1)
        process = device(f"""
import netman
try:
    netman.provision(port={port})
except netman.NetError as e:
    print("ERR", e.reason, e)
print("SETUP AP", [a for a in [netman._network] if a])
""", env={"NETMAN_NVS": str(tmp_path / "dev.nvs")})
        line = process.wait_line(r"^ERR ", 10).string
    assert line.startswith(f"ERR io_error provision: cannot serve HTTP on 127.{octet}.1.1 port {port} (errno 98)"), line
    process.wait_line(r"^SETUP AP \[\]$", 5)
    assert air.client.history("ap_stopped")


def test_aio_provision_serves_while_other_tasks_run(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    port = 21000 + octet
    process = device(f"""
import asyncio
import netman
import netman.aio

async def main():
    turns = [0]
    async def ticker():
        while True:
            turns[0] += 1
            await asyncio.sleep_ms(5)
    task = asyncio.create_task(ticker())
    ip = await netman.aio.provision(port={port}, dns_port={port}, grace_s=0)
    print("IP", ip, "turns", turns[0] > 50, netman.info()["provision"])
    task.cancel()

asyncio.run(main())
""", env={"NETMAN_NVS": str(tmp_path / "dev.nvs")})
    url = process.wait_line(r"portal at (http://\S+)", 10).group(1)
    address = url.split("/")[2].split(":")[0]
    host = f"Host: {address}:{port}\r\n".encode()
    assert b"home" in wait_for_scan(address, port, host)
    form = b"net=686f6d65&other=&psk=" + HOME_PSK.encode()
    answer = http(address, port, b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(form) + form)
    assert status_of(answer) == 303 and HOME_PSK.encode() not in answer
    line = process.wait_line(r"^IP ", 15).string
    assert re.fullmatch(r"IP \('127\.77\.0\.\d+', '255\.255\.255\.0', '127\.77\.0\.1'\) turns True None", line), line


def test_config_is_validated(probe, air) -> None:
    dev: Probe = probe("pass")
    dev.rejects("netman.start(provision={'timeout': 5})", "ValueError", ["provision", "'timeout'", "timeout_s"])
    dev.rejects("netman.start(provision={'timeout_s': 0})", "ValueError", ["provision", "'timeout_s'", "1 to 86400"])
    dev.rejects("netman.start(provision={'port': 'eighty'})", "TypeError", ["provision", "'port'"])
    dev.rejects("netman.start(provision={'psk': 'short'})", "ValueError", ["provision", "'psk'", "8 to 63"])
    dev.rejects("netman.start(provision={'provisioned': 3})", "TypeError", ["provision", "'provisioned'", "callable"])
    dev.rejects("netman.start(provision={}, ap={'ssid': 'x'})", "ValueError", ["'provision'", "'ap'"])
    dev.rejects("netman.provision(grace_s=-1)", "ValueError", ["provision", "'grace_s'"])
    assert dev.value("netman.sta_status()") == "'inactive'"  # nothing started
    message = dev.rejects("netman.start(provision={'psk': 'abc'})", "ValueError", ["'psk'"])
    assert "abc" not in message


def test_ssids_from_the_air_are_shown_as_text_and_hidden_ones_joined_by_name(device: DeviceFactory, air,
                                                                            tmp_path: Path, octet: int) -> None:
    air.client.add_ap('<script>alert("x")</script>&co', channel=3, rssi=-60)
    air.client.add_ap("attic", psk="attic-password", channel=4, rssi=-58, hidden=True)
    process, url = start_portal(device, tmp_path / "dev.nvs", ', "port": 8080')
    address = url.split("/")[2].split(":")[0]
    host = f"Host: {address}:8080\r\n".encode()
    page = wait_for_scan(address, 8080, host)
    assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co" in page and b"<script>" not in page
    assert b"attic" not in page  # hidden: not in the list
    form = b"net=&other=attic&psk=attic-password"
    http(address, 8080, b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(form) + form)
    process.wait_line(r"^PROVISIONED attic ", 10)
    assert {d["name"]: d for d in air.client.status()["devices"]}["dev"]["ssid"] == "attic"


def test_a_cancelled_aio_provision_closes_the_portal(device: DeviceFactory, air, tmp_path: Path, octet: int) -> None:
    port = 22000 + octet
    process = device(f"""
import asyncio
import netman
import netman.aio

async def main():
    task = asyncio.create_task(netman.aio.provision(port={port}, dns_port={port}))
    await asyncio.sleep_ms(1500)
    task.cancel()
    await asyncio.sleep_ms(100)
    print("STOPPED", netman._network is None)

asyncio.run(main())
""", env={"NETMAN_NVS": str(tmp_path / "dev.nvs")})
    process.wait_line(r"portal at", 10)
    process.wait_line(r"^STOPPED True$", 10)
    assert air.client.history("ap_stopped")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((f"127.{octet}.1.1", port), timeout=2).close()


def test_a_network_not_in_range_is_reported_and_the_form_comes_back(device: DeviceFactory, air, tmp_path: Path,
                                                                    octet: int) -> None:
    process, url = start_portal(device, tmp_path / "dev.nvs", ', "port": 8080')
    address = url.split("/")[2].split(":")[0]
    host = f"Host: {address}:8080\r\n".encode()
    form = b"net=&other=nowhere&psk=whatever-it-is"
    http(address, 8080, b"POST /connect HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(form) + form)
    deadline = time.monotonic() + 10
    while b"no_ap_found" not in (page := http(address, 8080, b"GET / HTTP/1.1\r\n" + host + b"\r\n")):
        assert time.monotonic() < deadline, page
        time.sleep(0.1)
    assert b"<b>nowhere</b>" in page and b'name="psk"' in page and b"whatever-it-is" not in page
    assert not (tmp_path / "dev.nvs").exists()  # nothing stored


@HOME_DOWN
def test_in_the_background_a_timed_out_portal_gives_the_station_its_network_back(probe, air, octet: int) -> None:
    port = 23000 + octet
    # The driver reconnects by itself (no disconnected callback): between portals it keeps trying home.
    dev: Probe = probe(f"netman.start(sta=dict(ssid='home', psk='secret123', {NO_DISCONNECTED_CB}), "
                       f"provision={{'fallback_after_s': 1, 'timeout_s': 2, 'port': {port}, 'dns_port': {port}}})")
    dev.process.wait_line(r"portal at", 5)
    dev.process.wait_line(r"^netman: setup portal closed: no network provisioned within 2 s$", 5)
    mark = dev.mark()
    air.client.ap_up("home")
    dev.wait_event("got_ip", 10, start=mark)
    assert eval(dev.value("netman.info()['provision']['state']")) == "waiting"
    assert not [a for a in air.client.status()["aps"] if a["ssid"].startswith("mpy-setup")]
