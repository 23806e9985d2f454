"""Joins pinned to one AP of an SSID served by several (sta={"bssid": ...},
sta_connect(bssid=...)): the join, the driver's own reconnect and netman's
scan-then-join roaming keep to that AP; unpinned, the strongest wins."""

from __future__ import annotations

import pytest

from conftest import NO_DISCONNECTED_CB
from netsim.control import ControlError

STRONG, WEAK, ELSEWHERE = "02:0f:00:00:00:01", "02:0f:00:00:00:02", "02:0f:00:00:00:03"

OFFICE = f"""
[[ap]]
ssid = "office"
psk = "office-pass"
bssid = "{STRONG}"
channel = 1
rssi = -40
[[ap]]
ssid = "office"
psk = "office-pass"
bssid = "{WEAK}"
channel = 6
rssi = -70
[[ap]]
ssid = "lab"
psk = "lab-password"
bssid = "{ELSEWHERE}"
channel = 11
"""

START = "netman.start(sta=dict(ssid='office', psk='office-pass', **CB{extra}))"


def mac_bytes(mac: str) -> str:
    return repr(bytes.fromhex(mac.replace(":", "")))


def joined(dev) -> tuple[bytes, int]:
    ap = eval(dev.value("netman.info()['ap']"))
    return ap["bssid"], ap["channel"]


@pytest.mark.scenario(OFFICE)
def test_unpinned_joins_the_strongest_ap_of_the_ssid(probe, air) -> None:
    dev = probe(START.format(extra=""))
    dev.wait_event("got_ip")
    assert joined(dev) == (bytes.fromhex(STRONG.replace(":", "")), 1)
    assert air.client.history("sta_connect")[-1]["bssid"] is None


@pytest.mark.scenario(OFFICE)
@pytest.mark.parametrize("form", [mac_bytes(WEAK), repr(WEAK), repr(WEAK.upper())])
def test_pinned_joins_that_ap(probe, air, form: str) -> None:
    dev = probe(START.format(extra=f", bssid={form}"))
    dev.wait_event("got_ip")
    assert joined(dev) == (bytes.fromhex(WEAK.replace(":", "")), 6)
    assert air.client.history("sta_associated")[-1]["bssid"] == WEAK
    assert air.client.history("sta_connect")[-1]["bssid"] == WEAK


@pytest.mark.scenario(OFFICE)
def test_a_bssid_that_does_not_serve_the_ssid_is_not_found(probe, air) -> None:
    dev = probe("netman.start(sta=dict(managed=True))")
    kind, reason, _ = dev.error(f"netman.wait_for_sta(ssid='office', psk='office-pass', bssid={ELSEWHERE!r}, "
                                "timeout_ms=5000)")
    assert (kind, reason) == ("NetError", "no_ap_found")


@pytest.mark.scenario(OFFICE)
def test_sta_connect_pins_unpins_and_a_new_ssid_drops_the_pin(probe, air) -> None:
    dev = probe(START.format(extra=""))
    dev.wait_event("got_ip")
    mark = dev.mark()
    dev.run(f"netman.sta_connect(bssid={WEAK!r})")
    dev.wait_event("got_ip", start=mark)
    assert joined(dev)[1] == 6
    mark = dev.mark()
    dev.run("netman.sta_connect(bssid=None)")
    dev.wait_event("got_ip", start=mark)
    assert joined(dev)[1] == 1
    mark = dev.mark()
    dev.run(f"netman.sta_connect(bssid={WEAK!r})")
    dev.wait_event("got_ip", start=mark)
    mark = dev.mark()
    dev.run("netman.sta_connect(ssid='lab', psk='lab-password')")
    dev.wait_event("got_ip", start=mark)
    assert joined(dev) == (bytes.fromhex(ELSEWHERE.replace(":", "")), 11)
    assert air.client.history("sta_connect")[-1]["bssid"] is None


@pytest.mark.scenario(OFFICE)
def test_the_drivers_reconnect_keeps_to_the_pinned_ap(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict(ssid='office', psk='office-pass', bssid={WEAK!r}, "
                "connected=CB['connected'], got_ip=CB['got_ip']))")
    dev.wait_event("got_ip")
    air.client.ap_down("office", bssid=WEAK)
    # The strong AP is still up: a pinned station does not go there.
    air.client.wait_for("sta_disconnected", reason="no_ap_found", timeout=10)
    assert all(e["bssid"] == WEAK for e in air.client.history("sta_connect"))
    assert not [e for e in air.client.history("sta_associated") if e["bssid"] == STRONG]
    mark = dev.mark()
    air.client.ap_up("office", bssid=WEAK)
    dev.wait_event("got_ip", start=mark, timeout=10)
    assert joined(dev)[1] == 6


@pytest.mark.scenario(OFFICE)
def test_roaming_scans_for_the_pinned_ap_only(probe, air) -> None:
    # No disconnected callback: netman roams (scan, then join a known network).
    pinned = probe(f"netman.start(sta=dict(networks=[('office', 'office-pass')], bssid={WEAK!r}, "
                   f"{NO_DISCONNECTED_CB}))", name="pinned", mac="02:00:00:00:5e:01")
    free = probe(f"netman.start(sta=dict(networks=[('office', 'office-pass')], {NO_DISCONNECTED_CB}))",
                 name="free", mac="02:00:00:00:5e:02")
    pinned.wait_event("got_ip")
    free.wait_event("got_ip")
    assert joined(pinned)[1] == 6
    assert joined(free)[1] == 1
    # Lost, the pinned one scans again and comes back to the same AP.
    mark = pinned.mark()
    air.client.deauth("office", mac="02:00:00:00:5e:01")
    pinned.wait_event("got_ip", start=mark, timeout=10)
    assert joined(pinned)[1] == 6
    scans = air.client.history("scan", mac="02:00:00:00:5e:01")
    assert len(scans) >= 2 and not [e for e in air.client.history("sta_associated", mac="02:00:00:00:5e:01")
                                    if e["bssid"] != WEAK]


@pytest.mark.scenario(OFFICE)
def test_bad_bssid_values_are_refused(probe, air) -> None:
    dev = probe("")
    dev.rejects("netman.start(sta=dict(ssid='office', bssid='02:0f:00:00:00'))", "ValueError",
                ["'bssid'", "6 bytes"])
    dev.rejects("netman.start(sta=dict(ssid='office', bssid=b'\\x01' * 5))", "ValueError", ["'bssid'", "6 bytes"])
    dev.rejects("netman.start(sta=dict(ssid='office', bssid=42))", "TypeError", ["'bssid'"])
    assert dev.value("netman.sta_status()") == "'inactive'"


@pytest.mark.scenario(OFFICE)
def test_the_air_keeps_aps_of_one_ssid_apart(air) -> None:
    aps = [a for a in air.client.status()["aps"] if a["ssid"] == "office"]
    assert sorted(a["bssid"] for a in aps) == [STRONG, WEAK]
    with pytest.raises(ControlError, match="needs a bssid of its own"):
        air.client.add_ap("office", psk="office-pass")
    with pytest.raises(ControlError, match=f"bssid {WEAK} exists"):
        air.client.add_ap("office", psk="office-pass", bssid=WEAK)
    air.client.add_ap("office", psk="office-pass", bssid="02:0f:00:00:00:09", channel=11)
    air.client.set_rssi("office", -20, bssid="02:0f:00:00:00:09")
    rssi = {a["bssid"]: a["rssi"] for a in air.client.status()["aps"]}
    assert (rssi[STRONG], rssi[WEAK], rssi["02:0f:00:00:00:09"]) == (-40, -70, -20)
    with pytest.raises(ControlError, match="no AP with ssid 'office' and bssid"):
        air.client.ap_down("office", bssid="02:0f:00:00:00:77")
