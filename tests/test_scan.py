"""wifi_scan: options, delivery (blocking, callback, asyncio), timing in the
air, hidden networks, busy, cancel, a crowded air, and bad input."""

from __future__ import annotations

import time

import pytest

from conftest import Probe
from netsim.scenario import many_aps_toml

SCAN_AIR = """
[[ap]]
ssid = "home"
psk = "secret123"
channel = 6
rssi = -55

[[ap]]
ssid = "cafe"
channel = 1
rssi = -70

[[ap]]
ssid = "office"
psk = "office-pass"
authmode = "wpa2_wpa3_psk"
channel = 11
rssi = -40
bssid = "02:0f:f1:ce:00:01"

[[ap]]
ssid = "secret-lab"
psk = "lab-password"
channel = 6
rssi = -60
hidden = true
"""

MANAGED = "netman.start(sta=dict(managed=True, **CB))"


def scan(dev: Probe, args: str = "") -> tuple[int, list[dict]]:
    found, networks = eval(dev.value(f"netman.wifi_scan({args})"))
    return found, networks


def durations(air) -> list[int]:
    starts = air.client.history("scan")
    ends = air.client.history("scan_done")
    return [e["t_ms"] - s["t_ms"] for s, e in zip(starts, ends)]


@pytest.mark.scenario(SCAN_AIR)
def test_scan_lists_visible_networks_strongest_first(probe) -> None:
    dev = probe(MANAGED)
    found, networks = scan(dev)
    assert found == 3
    assert [n["ssid"] for n in networks] == ["office", "home", "cafe"]
    office = networks[0]
    assert office == {"ssid": "office", "ssid_bytes": b"office", "bssid": bytes.fromhex("020ff1ce0001"),
                      "rssi": -40, "authmode": "wpa2_wpa3_psk", "channel": 11, "hidden": False}
    assert networks[2]["authmode"] == "open"
    assert dev.value("netman.MAX_SCAN_RESULTS") == "64"


@pytest.mark.scenario(SCAN_AIR)
def test_results_limits_the_list_not_the_count(probe) -> None:
    dev = probe(MANAGED)
    found, networks = scan(dev, "results=2")
    assert found == 3
    assert [n["ssid"] for n in networks] == ["office", "home"]


@pytest.mark.scenario(SCAN_AIR)
def test_hidden_networks_only_with_show_hidden_or_by_name(probe) -> None:
    dev = probe(MANAGED)
    found, networks = scan(dev, "show_hidden=True")
    assert found == 4
    hidden = [n for n in networks if n["hidden"]]
    assert len(hidden) == 1 and hidden[0]["ssid"] == "" and hidden[0]["rssi"] == -60
    # An active probe that names it finds it, with its name.
    found, networks = scan(dev, "ssid='secret-lab'")
    assert (found, [n["ssid"] for n in networks]) == (1, ["secret-lab"])
    assert networks[0]["hidden"] is True
    # A passive scan only listens: the hidden AP never says its name.
    assert scan(dev, "ssid='secret-lab', passive=True, dwell=20") == (0, [])


@pytest.mark.scenario(SCAN_AIR)
def test_filters_by_ssid_bssid_and_channel(probe) -> None:
    dev = probe(MANAGED)
    assert [n["ssid"] for n in scan(dev, "ssid='cafe'")[1]] == ["cafe"]
    assert [n["ssid"] for n in scan(dev, "ssid=b'home'")[1]] == ["home"]
    assert [n["ssid"] for n in scan(dev, "bssid=b'\\x02\\x0f\\xf1\\xce\\x00\\x01'")[1]] == ["office"]
    assert [n["ssid"] for n in scan(dev, "bssid='02:0f:f1:ce:00:01'")[1]] == ["office"]
    assert [n["ssid"] for n in scan(dev, "{'channel': 6, 'show_hidden': True}")[1]] == ["home", ""]
    assert scan(dev, "channel=3") == (0, [])


@pytest.mark.scenario(SCAN_AIR)
def test_passive_lingers_and_active_leaves_silent_channels_early(probe, air) -> None:
    dev = probe(MANAGED)  # not associated: no trips back to a home channel
    scan(dev, "passive=True, dwell=40")
    scan(dev, "dwell=40")
    passive, active = durations(air)
    assert passive >= 13 * 40
    # Active: 40 ms on the three busy channels, 20 ms on the ten silent ones.
    assert 3 * 40 + 10 * 20 <= active < passive
    # A passive scan without a dwell uses AtomVM's 360 ms.
    dev.run("netman.wifi_scan(passive=True, channel=1)")
    assert air.client.history("scan")[-1]["dwell_ms"] == 360
    assert durations(air)[-1] >= 360


@pytest.mark.scenario(SCAN_AIR)
def test_connected_station_returns_home_between_channels(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    scan(dev, "dwell=40, channel=1")
    assert durations(air)[-1] >= 40 + 30
    # Over 1000 ms per channel the home visits grow to 60 ms, and the long
    # absence costs a beacon timeout that does not drop the connection.
    found, _ = scan(dev, "dwell=1100, channel=11")
    assert found == 1
    assert durations(air)[-1] >= 1100 + 60
    dev.wait_event("beacon_timeout")
    assert dev.value("netman.sta_status()") == "'degraded'"
    assert [e.split()[1] for e in dev.events()] == ["connected", "got_ip", "beacon_timeout"]


@pytest.mark.scenario(SCAN_AIR)
def test_defaults_come_from_the_sta_config(probe, air) -> None:
    dev = probe("netman.start(sta=dict(managed=True, scan={'results': 1, 'dwell': 30}))")
    found, networks = scan(dev)
    assert (found, len(networks)) == (3, 1)
    assert air.client.history("scan")[-1]["dwell_ms"] == 30
    # Explicit options win over the defaults.
    assert len(scan(dev, "results=3")[1]) == 3
    dev.run("netman.stop()")
    dev.run("netman.start(sta=dict(managed=True, default_scan_results=2, scan_passive=True, "
            "scan_show_hidden=True, scan_dwell_ms=25))")
    found, networks = scan(dev)
    last = air.client.history("scan")[-1]
    assert (last["passive"], last["dwell_ms"], last["show_hidden"]) == (True, 25, True)
    assert (found, len(networks)) == (4, 2)


@pytest.mark.scenario(SCAN_AIR)
def test_scan_done_callback_gets_the_result(probe) -> None:
    dev = probe("""
def scanned(result):
    print('SCANNED', repr(result))
netman.start(sta=dict(managed=True, scan_done=scanned))
""")
    assert dev.value("netman.wifi_scan(results=1)") == "None"
    line = dev.process.wait_line("^SCANNED ").string
    found, networks = eval(line[len("SCANNED "):])
    assert found == 3 and [n["ssid"] for n in networks] == ["office"]


@pytest.mark.scenario(SCAN_AIR)
def test_second_scan_while_one_runs_is_busy(probe) -> None:
    dev = probe("""
def scanned(result):
    print('SCANNED', repr(result)[:20])
netman.start(sta=dict(managed=True, scan_done=scanned))
""")
    dev.run("netman.wifi_scan(dwell=200)")
    kind, reason, _ = dev.error("netman.wifi_scan()")
    assert (kind, reason) == ("NetError", "busy")
    dev.process.wait_line("^SCANNED ")
    # Once it is done, the next scan is fine.
    assert dev.value("netman.wifi_scan()") == "None"


@pytest.mark.scenario(SCAN_AIR)
def test_stop_during_a_callback_scan_gives_scan_canceled(probe, air) -> None:
    dev = probe("""
def scanned(result):
    print('SCANNED', type(result).__name__, getattr(result, 'reason', None))
netman.start(sta=dict(managed=True, scan_done=scanned))
""")
    dev.run("netman.wifi_scan(passive=True, dwell=500)")
    dev.run("netman.stop()")
    assert dev.process.wait_line("^SCANNED ").string == "SCANNED NetError scan_canceled"
    # The next network can scan again.
    dev.run("netman.start(sta=dict(managed=True))")
    assert scan(dev, "channel=1")[0] == 1


@pytest.mark.scenario(SCAN_AIR)
def test_stop_during_a_blocking_scan_raises_scan_canceled(probe) -> None:
    dev = probe(MANAGED + """
import _thread
def stop_soon():
    time.sleep_ms(200)
    netman.stop()
""" + "\nimport time\n")
    kind, reason, _ = dev.error("[_thread.start_new_thread(stop_soon, ()), netman.wifi_scan(passive=True, dwell=300)]")
    assert (kind, reason) == ("NetError", "scan_canceled")


@pytest.mark.scenario(SCAN_AIR)
def test_aio_wifi_scan_does_not_block_other_tasks(probe) -> None:
    dev = probe(MANAGED + """
import asyncio
import netman.aio
async def main():
    ticks = [0]
    t = asyncio.create_task(ticker(ticks))
    found, networks = await netman.aio.wifi_scan(dwell=50)
    t.cancel()
    print('AIO', found, networks[0]['ssid'], ticks[0] > 20)
""")
    dev.run("asyncio.run(main())")
    dev.process.wait_line("^AIO 3 office True$")


@pytest.mark.scenario(many_aps_toml(200))
def test_two_hundred_aps(probe, air) -> None:
    dev = probe(MANAGED)
    found, networks = scan(dev, "results=6, dwell=20")
    assert found == 200
    assert len(networks) == 6
    everyone = sorted((a["rssi"] for a in air.client.status()["aps"]), reverse=True)
    assert [n["rssi"] for n in networks] == everyone[:6]
    found, networks = scan(dev, "results=64, dwell=20")
    assert (found, len(networks)) == (200, 64)
    assert [n["rssi"] for n in networks] == everyone[:64]
    assert len({n["bssid"] for n in networks}) == 64


BAD_SCANS = [
    ("colour=1", "ValueError", ["wifi_scan", "'colour'"]),
    ("dwel=100", "ValueError", ["did you mean 'dwell'"]),
    ("dwell=0", "ValueError", ["'dwell'", "1 to 1500"]),
    ("dwell=1501", "ValueError", ["'dwell'", "1 to 1500"]),
    ("results=0", "ValueError", ["'results'", "1 to 64"]),
    ("results=65", "ValueError", ["'results'", "1 to 64"]),
    ("results='6'", "TypeError", ["'results'", "int"]),
    ("passive=1", "TypeError", ["'passive'", "True or False"]),
    ("channel=14", "ValueError", ["'channel'", "0 to 13"]),
    ("bssid=b'12345'", "ValueError", ["'bssid'", "6 bytes"]),
    ("bssid='zz:00:00:00:00:00'", "ValueError", ["'bssid'"]),
    ("bssid=5", "TypeError", ["'bssid'"]),
    ("ssid=''", "ValueError", ["'ssid'", "1 to 32"]),
    ("{'results': 2}, dwell=5", "TypeError", ["not both"]),
    ("[('results', 2), 7]", "TypeError", ["property list"]),
]


@pytest.mark.scenario(SCAN_AIR)
@pytest.mark.parametrize("args,kind,words", BAD_SCANS, ids=[b[0] for b in BAD_SCANS])
def test_bad_scan_options(probe, air, args: str, kind: str, words: list[str]) -> None:
    dev = probe(MANAGED)
    dev.rejects(f"netman.wifi_scan({args})", kind, words)
    assert air.client.history("scan") == []


def test_bad_scan_defaults_in_the_config(probe) -> None:
    dev = probe("")
    got, _, message = dev.error("netman.start(sta=dict(managed=True, scan={'dwell': 2000}))")
    assert got == "ValueError" and "'dwell'" in message
    got, _, message = dev.error("netman.start(sta=dict(managed=True, scan_dwell_ms=0))")
    assert got == "ValueError" and "'scan_dwell_ms'" in message


def test_scan_before_start_is_not_started(probe) -> None:
    dev = probe("")
    assert dev.error("netman.wifi_scan()")[:2] == ["NetError", "not_started"]


@pytest.mark.scenario(SCAN_AIR)
def test_scan_result_arrays_do_not_leak_between_scans(probe) -> None:
    dev = probe(MANAGED)
    scan(dev, "show_hidden=True")
    found, networks = scan(dev, "channel=1")
    assert (found, [n["ssid"] for n in networks]) == (1, ["cafe"])
    time.sleep(0.05)
