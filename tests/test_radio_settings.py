"""Radio settings: the `radio` section of start(), netman.radio() and
info()["radio"] -- transmit power heard by other devices, the country's
channels for scans, joins and our AP, power save, protocols, bandwidth and
the hostname -- with their errors."""

from __future__ import annotations

import pytest

from conftest import Probe

DEFAULTS = {"txpower": 20.0, "country": None, "channels": 13, "power_save": "min",
            "protocol": ("b", "g", "n"), "bandwidth": 20}

# APs on a channel every country has, on 12 (not in the US) and on 14 (Japan only).
CHANNELS_AIR = """
[[ap]]
ssid = "low"
channel = 1
[[ap]]
ssid = "twelve"
channel = 12
[[ap]]
ssid = "fourteen"
channel = 14
"""


def radio_of(dev: Probe) -> dict:
    settings: dict = eval(dev.value("netman.radio()"))
    return settings


def test_defaults_are_the_drivers_and_info_reports_them(probe, air) -> None:
    dev = probe(mac="02:00:00:00:4a:01")
    dev.wait_event("got_ip")
    assert radio_of(dev) == {**DEFAULTS, "hostname": "mpy-020000004a01"}
    assert eval(dev.value("netman.info()['radio']")) == radio_of(dev)


def test_start_section_and_runtime_setter_apply_and_return_what_is_in_force(probe, air) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB), radio=dict(txpower=8.5, "
                "country='de', power_save='none', protocol=('b', 'g'), hostname='kitchen'))",
                mac="02:00:00:00:4a:02")
    dev.wait_event("got_ip")
    assert radio_of(dev) == {"txpower": 8.5, "country": "DE", "channels": 13, "power_save": "none",
                             "protocol": ("b", "g"), "bandwidth": 20, "hostname": "kitchen"}
    assert air.client.history("dhcp_lease")[-1]["hostname"] == "kitchen"
    answer = eval(dev.value("netman.radio(txpower=15, power_save='max', protocol=('b', 'g', 'n', 'lr'), "
                            "bandwidth=40)"))
    assert answer == {"txpower": 15.0, "country": "DE", "channels": 13, "power_save": "max",
                      "protocol": ("b", "g", "n", "lr"), "bandwidth": 40, "hostname": "kitchen"}
    assert radio_of(dev) == answer
    # The air plays the radio: it was told every setting.
    seen = air.client.device("02:00:00:00:4a:02")["radio"]
    assert seen == {"txpower": 15.0, "country": "DE", "channels": 13, "power_save": "max",
                    "protocol": ["b", "g", "n", "lr"], "bandwidth": 40}
    # A new session starts from the defaults again.
    dev.run("netman.stop(); netman.start(sta=dict(managed=True))")
    assert radio_of(dev) == {**DEFAULTS, "hostname": "mpy-020000004a02"}


def test_hostname_at_runtime_goes_with_the_next_join(probe, air) -> None:
    dev = probe(mac="02:00:00:00:4a:03")
    dev.wait_event("got_ip")
    dev.run("netman.radio(hostname='garage')")
    assert dev.value("netman.info()['hostname']") == "'garage'"
    mark = dev.mark()
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip", start=mark)
    assert air.client.history("dhcp_lease")[-1]["hostname"] == "garage"


def test_bad_values_name_the_key_and_the_range_and_change_nothing(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    before = radio_of(dev)
    dev.rejects("netman.radio(txpower=30)", "ValueError", ["'txpower'", "2 to 21 dBm", "30"])
    dev.rejects("netman.radio(txpower=1.5)", "ValueError", ["'txpower'", "2 to 21 dBm"])
    dev.rejects("netman.radio(txpower='high')", "TypeError", ["'txpower'", "number"])
    dev.rejects("netman.radio(country='QQ')", "ValueError", ["'country'", "'QQ'"])
    dev.rejects("netman.radio(country='USA')", "ValueError", ["'country'", "2 to 2 bytes"])
    dev.rejects("netman.radio(power_save='some')", "ValueError", ["'power_save'", "none, min, max"])
    dev.rejects("netman.radio(protocol=('g', 'n'))", "ValueError", ["'protocol'", "('b', 'g', 'n')"])
    dev.rejects("netman.radio(protocol=('b', 'ac'))", "ValueError", ["'protocol'", "'ac'"])
    dev.rejects("netman.radio(protocol='bgn')", "TypeError", ["'protocol'", "tuple"])
    dev.rejects("netman.radio(bandwidth=80)", "ValueError", ["'bandwidth'", "20 or 40"])
    dev.rejects("netman.radio(protocol=('b', 'g'), bandwidth=40)", "ValueError", ["40 MHz", "'n'"])
    dev.rejects("netman.radio(hostname='bad name')", "ValueError", ["'hostname'", "letters, digits"])
    dev.rejects("netman.radio(txpowr=10)", "ValueError", ["unknown key 'txpowr'", "did you mean 'txpower'"])
    # One bad value refuses the whole request.
    dev.rejects("netman.radio(txpower=10, country='QQ')", "ValueError", ["'country'"])
    assert radio_of(dev) == before
    dev.rejects("netman.start(sta=dict(ssid='home'), radio=dict(txpower=99))", "NetError", ["already started"])


def test_start_refuses_a_bad_radio_section_before_starting_anything(probe, air) -> None:
    dev = probe("")
    dev.rejects("netman.start(sta=dict(ssid='home', psk='secret123'), radio=dict(txpower=100))", "ValueError",
                ["radio", "'txpower'", "2 to 21 dBm"])
    dev.rejects("netman.start(sta=dict(ssid='home', dhcp_hostname='a'), radio=dict(hostname='b'))", "ValueError",
                ["hostname once"])
    dev.rejects("netman.start(ap=dict(ssid='x'), radio=dict(hostname='b'))", "ValueError", ["'hostname'", "'sta'"])
    dev.rejects("netman.start(ap=dict(ssid='mine', ap_channel=12), radio=dict(country='US'))", "ValueError",
                ["'ap_channel'", "1 to 11", "country 'US'"])
    dev.rejects("netman.start(ap=dict(ssid='mine', ap_channel=14))", "ValueError",
                ["'ap_channel'", "1 to 13", "no radio 'country'"])
    dev.rejects("netman.radio()", "NetError", ["not started"])
    assert dev.value("netman.sta_status()") == "'inactive'"
    assert air.client.status()["devices"] == []  # the radio never came up


def test_hostname_needs_the_station(probe, air) -> None:
    dev = probe("netman.start(ap=dict(ssid='mine', psk='ap-password'))")
    kind, reason, message = dev.error("netman.radio(hostname='garage')")
    assert (kind, reason) == ("NetError", "unsupported")
    assert "'hostname'" in message and "no station" in message
    assert radio_of(dev)["hostname"] is None


def test_transmit_power_is_what_other_devices_hear(probe, air) -> None:
    ap = probe("netman.start(ap=dict(ssid='loud', psk='ap-password'))", name="ap", mac="02:00:00:00:4b:01")
    sta = probe("netman.start(sta=dict(ssid='loud', psk='ap-password', **CB))", name="sta")
    sta.wait_event("got_ip")
    assert sta.value("netman.sta_rssi()") == "-40"
    ap.run("netman.radio(txpower=10)")          # 10 dB below the default 20 dBm
    sta.process.wait_line(r"^OK", 5, start=sta.process.send("import time; time.sleep_ms(100)"))
    assert sta.value("netman.sta_rssi()") == "-50"
    assert sta.value("netman.info()['ap']['rssi']") == "-50"
    # A scan hears the AP's beacons at the new power too.
    found = eval(sta.value("netman.wifi_scan(ssid='loud')"))
    assert found[1][0]["rssi"] == -50
    # And the AP hears a quieter station as one.
    assert eval(ap.value("netman.ap_stations()"))[0]["rssi"] == -45
    quiet = probe("netman.start(sta=dict(ssid='loud', psk='ap-password', **CB), radio=dict(txpower=2))",
                  name="quiet", mac="02:00:00:00:4b:03")
    quiet.wait_event("got_ip")
    stations = {s["mac"]: s["rssi"] for s in eval(ap.value("netman.ap_stations()"))}
    assert stations[b"\x02\x00\x00\x00\x4b\x03"] == -45 - 18


@pytest.mark.scenario("")
def test_espnow_receivers_hear_the_senders_power(probe) -> None:
    start = "netman.start(sta=dict(managed=True))\nfrom netman.espnow import ESPNow\ne = ESPNow()\ne.active(True)"
    a = probe(start, name="a", mac="02:00:00:00:4c:01")
    b = probe(start, name="b", mac="02:00:00:00:4c:02")
    a.run("e.add_peer(b'\\x02\\x00\\x00\\x00\\x4c\\x02')")
    assert a.value("e.send(b'\\x02\\x00\\x00\\x00\\x4c\\x02', b'one')") == "True"
    assert b.value("e.recv(1000)[1]") == "b'one'"
    assert b.value("e.peers_table[b'\\x02\\x00\\x00\\x00\\x4c\\x01'][0]") == "-50"
    a.run("netman.radio(txpower=14)")
    assert a.value("e.send(b'\\x02\\x00\\x00\\x00\\x4c\\x02', b'two')") == "True"
    assert b.value("e.recv(1000)[1]") == "b'two'"
    assert b.value("e.peers_table[b'\\x02\\x00\\x00\\x00\\x4c\\x01'][0]") == "-56"


@pytest.mark.scenario(CHANNELS_AIR)
def test_country_limits_what_a_scan_sees(probe) -> None:
    dev = probe("netman.start(sta=dict(managed=True))")

    def seen() -> list[str]:
        return sorted(n["ssid"] for n in eval(dev.value("netman.wifi_scan(results=10)"))[1])

    assert seen() == ["low", "twelve"]         # no country: 1-13
    dev.run("netman.radio(country='US')")
    assert seen() == ["low"]
    dev.run("netman.radio(country='JP')")
    assert seen() == ["fourteen", "low", "twelve"]
    assert radio_of(dev)["channels"] == 14
    dev.run("netman.radio(country='GB')")
    dev.rejects("netman.wifi_scan(channel=14)", "ValueError",
                ["'channel'", "0 to 13", "country 'GB'"])


@pytest.mark.scenario(CHANNELS_AIR)
def test_an_ap_on_a_channel_the_country_forbids_is_not_joined(probe) -> None:
    dev = probe("netman.start(sta=dict(managed=True), radio=dict(country='US'))")
    kind, reason, _ = dev.error("netman.wait_for_sta(ssid='twelve', timeout_ms=5000)")
    assert (kind, reason) == ("NetError", "no_ap_found")
    dev.run("netman.radio(country='FR')")
    assert dev.value("netman.wait_for_sta(ssid='twelve', timeout_ms=5000)")[0] == "("
    # The station is on channel 12 now: a country without it is refused.
    dev.rejects("netman.radio(country='CA')", "ValueError", ["'country' CA", "1 to 11", "channel 12"])
    assert radio_of(dev)["country"] == "FR"


@pytest.mark.scenario("")
def test_country_limits_our_access_point(probe, air) -> None:
    dev = probe("netman.start(ap=dict(ssid='mine', psk='ap-password', ap_channel=14, **AP_CB), radio=dict(country='JP'))")
    dev.wait_event("ap_started")
    assert dev.value("netman.info()['softap']['channel']") == "14"
    dev.rejects("netman.radio(country='DE')", "ValueError", ["'country' DE", "1 to 13", "our AP", "channel 14"])
    assert {a["ssid"]: a for a in air.client.status()["aps"]}["mine"]["channel"] == 14
