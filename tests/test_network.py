"""The host build's `network` module: MicroPython's WLAN API as its ESP32
port behaves (values, status codes, errors), on netman and the air; and what
netman gained for it: the radio's channel, runtime AP changes, the AP's MAC."""

from __future__ import annotations

import time

import pytest

from conftest import NO_DISCONNECTED_CB, Probe

AIR = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6
rssi = -55
"""


def wlan(probe, name: str = "dev", mac: str | None = None, start: str = "") -> Probe:
    return probe("import network\nsta = network.WLAN(network.STA_IF)\nap = network.WLAN(network.AP_IF)\n" + start,
                 name=name, mac=mac)


def wait(dev: Probe, expr: str, want: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (got := dev.value(expr)) != want:
        assert time.monotonic() < deadline, f"{expr} stayed {got}, not {want}"
        time.sleep(0.02)


@pytest.mark.scenario(AIR)
def test_station_walks_through_micropythons_status_codes(probe) -> None:
    dev = wlan(probe)
    assert dev.value("(network.STA_IF, network.AP_IF, sta.IF_STA, sta.IF_AP)") == "(0, 1, 0, 1)"
    assert dev.value("network.WLAN() is sta and network.WLAN(0) is sta and network.WLAN(1) is ap") == "True"
    assert dev.value("sta.active()") == "False"
    assert dev.value("sta.status()") == "1000"  # STAT_IDLE
    assert dev.run("sta.connect('home', 'secret123')") == "ERR OSError None Wifi Not Started"
    assert dev.value("sta.active(True)") == "True"
    assert dev.value("sta.isconnected()") == "False"
    dev.run("sta.connect('home', 'secret123')")
    assert dev.value("sta.status()") == "1001"  # STAT_CONNECTING
    wait(dev, "sta.isconnected()", "True")
    assert dev.value("sta.status() == network.STAT_GOT_IP == 1010") == "True"
    address, netmask, gateway, dns = eval(dev.value("sta.ifconfig()"))
    assert address.startswith("127.77.0.") and netmask == "255.255.255.0" and gateway == dns == "127.77.0.1"
    assert dev.value("sta.ipconfig('addr4')") == repr((address, netmask))
    assert dev.value("(sta.ipconfig('gw4'), sta.ipconfig('dhcp4'), network.ipconfig('dns'))") == \
        "('127.77.0.1', True, '127.77.0.1')"
    assert dev.value("sta.status('rssi')") == "-55"
    assert dev.value("(sta.config('ssid'), sta.config('channel'))") == "('home', 6)"
    # connect(bssid=) joins that AP; a BSSID nobody has is no AP found.
    bssid = eval(dev.value("sta.scan()[0][1]"))
    dev.run(f"sta.connect('home', 'secret123', bssid={bssid!r})")
    wait(dev, "sta.isconnected()", "True")
    assert dev.value("netman.info()['ap']['bssid']") == repr(bssid)
    assert dev.run("sta.connect('home', 'secret123', bssid=b'12345')") == "ERR ValueError None "
    dev.run("sta.disconnect()")
    wait(dev, "netman.sta_status()", "'disconnected'")
    assert dev.value("sta.status()") == "1000"
    assert dev.value("sta.isconnected()") == "False"
    assert dev.run("sta.status('rssi')") == "ERR OSError None Wifi Not Connected"
    # A wrong key: STAT_WRONG_PASSWORD; nobody serving the SSID: STAT_NO_AP_FOUND.
    dev.run("sta.connect('home', 'wrong-key')")
    wait(dev, "sta.status()", "202")
    dev.run("sta.connect('nobody', 'secret123')")
    wait(dev, "sta.status()", "201")
    assert dev.value("sta.active(False)") == "False"
    assert dev.value("netman.sta_status()") == "'inactive'"  # the radio is off with both interfaces


@pytest.mark.scenario(AIR)
def test_scan_gives_micropythons_tuples(probe, air) -> None:
    dev = wlan(probe)
    assert dev.run("sta.scan()") == "ERR OSError None STA must be active"
    dev.run("sta.active(True)")
    air.client.add_ap(ssid="cafe", channel=11, rssi=-70, authmode="open")
    air.client.add_ap(ssid="secret", psk="password1", channel=3, rssi=-60, hidden=True)
    found = eval(dev.value("sta.scan()"))
    by_ssid = {entry[0]: entry for entry in found}
    assert by_ssid[b"home"][2:] == (6, -55, 3, False)     # channel, RSSI, WPA2-PSK, hidden
    assert by_ssid[b"cafe"][2:] == (11, -70, 0, False)    # open
    assert by_ssid[b""][2:4] == (3, -60)                  # a hidden network: no SSID
    assert all(isinstance(e[1], bytes) and len(e[1]) == 6 for e in found)
    assert [e[3] for e in found] == sorted((e[3] for e in found), reverse=True)


@pytest.mark.scenario(AIR)
def test_config_reads_and_writes_as_on_an_esp32(probe) -> None:
    dev = wlan(probe, mac="02:00:00:00:77:01")
    # Readable before the radio is on.
    assert dev.value("sta.config('mac')") == repr(bytes.fromhex("020000007701"))
    assert dev.value("ap.config('mac')") == repr(bytes.fromhex("060000007701"))
    assert dev.value("(network.hostname(), sta.config('hostname'))") == "('mpy-020000007701', 'mpy-020000007701')"
    assert dev.value("(ap.config('ssid'), ap.config('security'), ap.config('max_clients'))") == \
        "('ESP_007701', 0, 4)"
    assert dev.run("sta.config('channel')") == "ERR OSError None Wifi Not Started"
    dev.run("sta.active(True)")
    assert dev.value("sta.config('channel')") == "1"
    dev.run("sta.config(channel=11)")
    assert dev.value("(sta.config('channel'), netman.info()['channel'])") == "(11, 11)"
    dev.run("sta.config(txpower=15, pm=sta.PM_NONE, reconnects=3)")
    assert dev.value("(sta.config('txpower'), sta.config('pm'), sta.config('reconnects'))") == "(15.0, 0, 3)"
    dev.run("network.hostname('kitchen'); network.country('DE')")
    assert dev.value("(network.hostname(), sta.config('dhcp_hostname'), network.country())") == \
        "('kitchen', 'kitchen', 'DE')"
    assert dev.value("netman.info()['hostname']") == "'kitchen'"  # one setting for both APIs
    assert dev.value("network.phy_mode()") == "None"
    for call, answer in [
        ("sta.config('colour')", "ERR ValueError None unknown config param"),
        ("sta.config(colour=1)", "ERR ValueError None unknown config param"),
        ("sta.config('mac', ssid='x')", "ERR TypeError None either pos or kw args are allowed"),
        ("sta.config()", "ERR TypeError None can query only one param"),
        ("sta.config('key')", "ERR ValueError None unknown config param"),  # a key is never read back
        ("sta.config(ssid='x')", "ERR OSError None AP required"),
        ("ap.config('hostname')", "ERR OSError None STA required"),
        ("ap.config(reconnects=1)", "ERR OSError None STA required"),
        ("sta.status('stations')", "ERR OSError None AP required"),
        ("sta.status('colour')", "ERR ValueError None unknown status param"),
        ("sta.config(mac=b'12345')", "ERR ValueError None invalid buffer length"),
        ("sta.config(txpower=30)", "ERR RuntimeError None Wifi Unknown Error 0x0102"),
        ("network.WLAN(2)", "ERR ValueError None invalid WLAN interface identifier"),
        ("network.hostname('x' * 33)", "ERR ValueError None "),
        ("network.country('DEU')", "ERR ValueError None "),
        ("network.ipconfig('colour')", "ERR ValueError None unexpected key"),
        ("network.ipconfig(dns='not an address')", "ERR ValueError None invalid arguments as dns server"),
        ("sta.ipconfig('addr4', 'gw4')", "ERR TypeError None must query one param"),
        ("sta.ifconfig('static')", "ERR ValueError None invalid arguments"),
    ]:
        assert dev.run(call) == answer, call
    # A refused key changes nothing.
    assert dev.value("ap.config('ssid')") == "'ESP_007701'"


@pytest.mark.scenario(AIR)
def test_static_address_and_dns(probe) -> None:
    dev = wlan(probe, start="sta.active(True)")
    dev.run("sta.ifconfig(('127.77.0.50', '255.255.255.0', '127.77.0.1', '127.77.0.1'))")
    dev.run("sta.connect('home', 'secret123')")
    wait(dev, "sta.isconnected()", "True")
    assert dev.value("sta.ifconfig()[0]") == "'127.77.0.50'"
    assert dev.value("sta.ipconfig('dhcp4')") == "False"
    # Back to DHCP: it takes effect at once (the station rejoins).
    dev.run("sta.ipconfig(dhcp4=True)")
    wait(dev, "sta.isconnected() and sta.ifconfig()[0] != '127.77.0.50'", "True")
    dev.run("network.ipconfig(dns='127.0.0.53')")
    assert dev.value("network.ipconfig('dns')") == "'127.0.0.53'"


@pytest.mark.scenario(AIR)
def test_access_point_as_the_esp32_quickref_sets_it_up(probe) -> None:
    # The quickref's own lines: config before active, then active.
    dev = wlan(probe, name="ap", mac="02:00:00:00:78:01",
               start="ap.config(ssid='ESP-AP', key='ap-password')\nap.config(max_clients=10)")
    assert dev.value("ap.active(True)") == "True"
    assert dev.value("(ap.active(), sta.active())") == "(True, False)"
    address, netmask, gateway, dns = eval(dev.value("ap.ifconfig()"))
    assert address == gateway and address.startswith("127.100.")
    assert dev.value("(ap.config('ssid'), ap.config('security'), ap.config('max_clients'))") == "('ESP-AP', 3, 10)"
    assert dev.value("ap.isconnected()") == "False"
    guest = wlan(probe, name="guest", mac="02:00:00:00:78:02", start="sta.active(True)")
    guest.run("sta.connect('ESP-AP', 'ap-password')")
    wait(guest, "sta.isconnected()", "True")
    wait(dev, "ap.isconnected()", "True")
    assert dev.value("ap.status('stations')") == repr([(bytes.fromhex("020000007802"),)])
    assert "ap-password" not in dev.process.output
    # The station comes up beside the AP, and goes without taking the AP along.
    dev.run("sta.active(True)")
    assert dev.value("(ap.active(), sta.active())") == "(True, True)"
    dev.run("sta.active(False)")
    assert dev.value("(ap.active(), sta.active(), netman.info()['softap']['status'])") == \
        "(True, False, 'started')"
    dev.run("ap.active(False)")
    assert dev.value("(ap.active(), netman._network)") == "(False, None)"


@pytest.mark.scenario(AIR)
def test_ap_changes_at_run_time_keep_espnow(probe) -> None:
    # WLAN(AP_IF).config() on a running AP, and netman.ap_config(): no restart
    # of the radio, so ESP-NOW keeps its peers and its ring.
    dev = wlan(probe, name="ap", mac="02:00:00:00:79:01",
               start="ap.config(ssid='one', key='ap-password')\nap.active(True)\nimport espnow\n"
                     "e = espnow.ESPNow()\ne.active(True)\ne.add_peer(b'\\x02\\x00\\x00\\x00\\x79\\x02')")
    address = eval(dev.value("ap.ifconfig()"))[0]
    dev.run("ap.config(ssid='two', channel=6)")
    wait(dev, "netman.info()['softap']['status']", "'started'")
    assert dev.value("(netman.info()['softap']['ssid'], ap.config('channel'), ap.ifconfig()[0])") == \
        f"('two', 6, '{address}')"
    assert dev.value("(e.active(), e.peer_count())") == "(True, (1, 0))"
    guest = wlan(probe, name="guest", mac="02:00:00:00:79:02", start="sta.active(True)")
    guest.run("sta.connect('two', 'ap-password')")  # the PSK stayed
    wait(guest, "sta.isconnected()", "True")
    dev.run("netman.ap_config(max_connections=2, ssid_hidden=True)")
    wait(dev, "netman.info()['softap']['hidden']", "True")
    assert dev.value("(e.active(), e.peer_count(), netman.info()['softap']['max_connections'])") == \
        "(True, (1, 0), 2)"


def test_netman_channel_setting_and_info(probe) -> None:
    dev = probe("netman.start(sta=dict(managed=True, channel=9))")
    assert dev.value("netman.info()['channel']") == "9"
    dev.run("netman.set_channel(4)")
    wait(dev, "netman.info()['channel']", "4")
    # Joined, the radio is on the AP's channel; back to its own after.
    dev.run("netman.sta_connect(ssid='home', psk='secret123')")
    wait(dev, "netman.info()['channel']", "6")
    dev.run("netman.sta_disconnect()")
    wait(dev, "netman.info()['channel']", "4")
    for bad in ("netman.set_channel(0)", "netman.set_channel(14)", "netman.sta_connect(channel=20)"):
        assert dev.run(bad).startswith("ERR ValueError"), bad
    assert dev.run("netman.set_channel('6')").startswith("ERR TypeError")
    dev.run("netman.stop()")
    assert dev.error("netman.set_channel(3)")[1] == "not_started"


@pytest.mark.scenario("")
def test_espnow_on_the_channel_the_sensor_chose(probe) -> None:
    # The espnow docs' Proxy/Sensor pair: the proxy's AP is on channel 6, the
    # sensor sets its radio there with sta.config(channel=6).
    air_toml_ap = "netman.start(ap=dict(ssid='proxy', psk='password1', ap_channel=6))"
    proxy = probe(f"{air_toml_ap}\nimport espnow\ne = espnow.ESPNow()\ne.active(True)", name="proxy",
                  mac="02:00:00:00:7a:01")
    sensor = wlan(probe, name="sensor", mac="02:00:00:00:7a:02",
                  start="sta.active(True)\nimport espnow\ne = espnow.ESPNow()\ne.active(True)")
    peer = "b'\\x02\\x00\\x00\\x00\\x7a\\x01'"
    # Not on the proxy's channel: add_peer with channel=6 is refused.
    assert "ESP_ERR_ESPNOW_CHAN" in sensor.run(f"e.add_peer({peer}, channel=6)")
    sensor.run(f"e.add_peer({peer})")
    assert sensor.value(f"e.send({peer}, b'lost')") == "False"
    sensor.run("sta.config(channel=6)")
    wait(sensor, "sta.config('channel')", "6")
    sensor.run(f"e.mod_peer({peer}, channel=6)")
    assert sensor.value(f"e.send({peer}, b'reading')") == "True"
    assert proxy.value("e.recv(1000)") == f"[{'b' + repr(bytes.fromhex('02000000' + '7a02'))[1:]}, b'reading']"
    # A peer on another channel than the radio's cannot be sent to.
    sensor.run("sta.config(channel=1)")
    wait(sensor, "sta.config('channel')", "1")
    assert "ESP_ERR_ESPNOW_CHAN" in sensor.run(f"e.send({peer}, b'x')")


@pytest.mark.scenario(AIR)
def test_both_apis_share_one_radio(probe, air) -> None:
    # netman's callbacks fire for a connection WLAN.connect() made; WLAN sees
    # what netman.start() started; the last one to configure wins.
    dev = probe(f"netman.start(sta=dict(managed=True, {NO_DISCONNECTED_CB}))\nimport network\nsta = network.WLAN()")
    assert dev.value("sta.active()") == "True"
    dev.run("sta.connect('home', 'secret123')")
    mark = dev.mark()
    dev.wait_event("got_ip")
    assert dev.value("sta.isconnected()") == "True"
    air.client.ap_down("home")
    dev.wait_event("beacon_timeout", start=mark)
    wait(dev, "sta.status() in (network.STAT_CONNECTING, network.STAT_NO_AP_FOUND)", "True")
    air.client.ap_up("home")
    mark = dev.mark()
    dev.wait_event("got_ip", timeout=10, start=mark)  # the reconnect, reported by netman
    assert dev.value("sta.isconnected()") == "True"
    dev.run("netman.sta_connect(ssid='nobody', psk='secret123')")
    wait(dev, "sta.status()", "201")
    assert dev.value("sta.config('ssid')") == "'nobody'"


@pytest.mark.scenario(AIR)
def test_reconnects_limit_the_automatic_retries(probe, air) -> None:
    dev = wlan(probe, start="sta.active(True)\nsta.config(reconnects=0)")
    dev.run("sta.connect('home', 'secret123')")
    wait(dev, "sta.isconnected()", "True")
    attempts = int(dev.value("netman.stats()['reconnect_attempts']"))
    air.client.ap_down("home")
    wait(dev, "sta.isconnected()", "False")
    air.client.ap_up("home")
    time.sleep(1.0)
    assert dev.value("sta.isconnected()") == "False"  # reconnects=0: no retry
    assert int(dev.value("netman.stats()['reconnect_attempts']")) == attempts
    dev.run("sta.config(reconnects=-1)")
    dev.run("sta.connect()")  # the last configuration again
    wait(dev, "sta.isconnected()", "True")
