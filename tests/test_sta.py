"""The first STA slice on the host firmware against netsim: callbacks in order,
DHCP addresses, failures and their reasons, reconnect, stop and restart."""

from __future__ import annotations

import ipaddress
import time

import pytest

from conftest import NO_DISCONNECTED_CB, Probe, home_air


def ev_name(line: str) -> str:
    return line.split()[1]


# DHCP slow enough that `connected` surely runs before the address comes,
# however loaded the machine.
@pytest.mark.scenario(home_air(dhcp_ms=1000))
def test_connect_callbacks_in_order_with_dhcp_address(probe, air) -> None:
    dev: Probe = probe()
    got_ip = dev.wait_event("got_ip")
    events = dev.events()
    assert [ev_name(e) for e in events] == ["connected", "got_ip"]
    # connected fires once associated; got_ip once DHCP is done.
    assert events[0].endswith("| associated")
    assert got_ip == "EV got_ip ('127.77.0.10', '255.255.255.0', '127.77.0.1') | connected"
    assert dev.value("netman.sta_status()") == "'connected'"
    lease = air.client.wait_for("dhcp_lease")[0]
    assert ipaddress.IPv4Address(lease["ip"]) in ipaddress.IPv4Network("127.0.0.0/8")


def test_status_walks_connecting_to_connected(probe) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='secret123', managed=True, **CB))")
    assert dev.value("netman.sta_status()") == "'disconnected'"
    assert dev.value("netman.sta_connect() or netman.sta_status()") == "'connecting'"
    dev.wait_event("got_ip")
    assert dev.value("netman.sta_status()") == "'connected'"


def test_default_hostname_and_custom_hostname_reach_dhcp(probe, air) -> None:
    probe(name="a", mac="02:aa:00:00:00:01").wait_event("got_ip")
    probe("netman.start(sta=dict(ssid='home', psk='secret123', dhcp_hostname='kitchen-1', **CB))",
          name="b").wait_event("got_ip")
    leases = {e["mac"]: e["hostname"] for e in air.client.history("dhcp_lease")}
    assert leases["02:aa:00:00:00:01"] == "mpy-02aa00000001"
    assert "kitchen-1" in leases.values()


def test_two_devices_get_distinct_addresses_and_keep_them(probe, air) -> None:
    start = f"netman.start(sta=dict(ssid='home', psk='secret123', {NO_DISCONNECTED_CB}))"
    a = probe(start, name="a")
    b = probe(start, name="b")
    ip_a = a.wait_event("got_ip").split("'")[1]
    ip_b = b.wait_event("got_ip").split("'")[1]
    assert ip_a != ip_b
    mark = a.mark()
    air.client.deauth("home")
    # No disconnected callback: both reconnect by themselves, same lease.
    assert a.wait_event("got_ip", start=mark).split("'")[1] == ip_a


def test_wrong_psk_reports_auth_failed(probe, air) -> None:
    dev = probe("netman.start(sta=dict(ssid='home', psk='wrong-password', **CB))")
    line = dev.wait_event("disconnected")
    assert line.endswith("| disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'auth_failed'"
    assert dev.value("netman.sta_status()") == "'disconnected'"
    assert [ev_name(e) for e in dev.events()] == ["disconnected"]
    # The PSK goes to the air (it is the radio) but is never logged there.
    assert "wrong-password" not in air.output


def test_unknown_ssid_reports_no_ap_found(probe) -> None:
    dev = probe("netman.start(sta=dict(ssid='nowhere', psk='secret123', **CB))")
    dev.wait_event("disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'no_ap_found'"


def test_without_disconnected_callback_reconnects_when_ap_returns(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict(ssid='home', psk='secret123', {NO_DISCONNECTED_CB}))")
    dev.wait_event("got_ip")
    air.client.ap_down("home")
    # The driver keeps trying while the AP is gone...
    air.client.wait_for("sta_disconnected", count=2, timeout=5)
    assert dev.value("netman.sta_status()") in ("'connecting'", "'disconnected'")
    mark = dev.mark()
    air.client.ap_up("home")
    # ...and is back without the application doing anything.
    dev.wait_event("connected", start=mark)
    dev.wait_event("got_ip", start=mark)
    assert dev.value("netman.sta_status()") == "'connected'"
    stats = dev.value("netman.stats()")
    assert "'connects': 2" in stats


def test_with_disconnected_callback_the_application_decides(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    air.client.ap_down("home")
    dev.wait_event("beacon_timeout")
    dev.wait_event("disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'beacon_timeout'"
    air.client.ap_up("home")
    time.sleep(0.5)  # give a (wrong) automatic reconnect every chance to happen
    assert len(air.client.history("sta_connect")) == 1
    assert dev.value("netman.sta_status()") == "'disconnected'"
    mark = dev.mark()
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip", start=mark)


def test_beacon_loss_degrades_the_session(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    air.client.beacon_loss("home")
    assert dev.wait_event("beacon_timeout").endswith("| degraded")
    assert dev.value("netman.sta_status()") == "'degraded'"
    assert "'beacon_timeouts': 1" in dev.value("netman.stats()")


def test_deauth_reason_is_ap_left(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    air.client.deauth("home")
    dev.wait_event("disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'ap_left'"


def test_sta_disconnect_goes_disconnecting_then_disconnected(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    assert dev.value("netman.sta_disconnect() or netman.sta_status()") == "'disconnecting'"
    assert dev.wait_event("disconnected").endswith("| disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'by_request'"


def test_stop_frees_everything_and_start_works_again(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    dev.run("netman.stop()")
    assert dev.value("netman.sta_status()") == "'inactive'"
    air.client.wait_for("device_left_air")
    assert dev.error("netman.sta_connect()")[:2] == ["NetError", "not_started"]
    assert dev.error("netman.sta_disconnect()")[:2] == ["NetError", "not_started"]
    assert dev.error("netman.info()")[:2] == ["NetError", "not_started"]
    mark = dev.mark()
    dev.run("netman.start(sta=dict(ssid='home', psk='secret123', **CB))")
    dev.wait_event("got_ip", start=mark)
    # No event of the first session leaks into the second.
    assert [ev_name(e) for e in dev.events()] == ["connected", "got_ip", "connected", "got_ip"]
    # The first session's object is garbage now: sweeping it (its finaliser
    # closes the network on a board's soft reset) leaves the second running.
    dev.run("import gc; gc.collect(); gc.collect()")
    assert dev.value("netman.sta_status()") == "'connected'"


def test_start_twice_is_already_started(probe) -> None:
    dev = probe()
    kind, reason, _ = dev.error("netman.start(sta=dict(ssid='home'))")
    assert (kind, reason) == ("NetError", "already_started")


def test_callback_that_raises_is_reported_and_delivery_goes_on(probe) -> None:
    dev = probe("""
def boom():
    raise RuntimeError("callback failure")
netman.start(sta=dict(ssid='home', psk='secret123', connected=boom, got_ip=CB['got_ip']))
""")
    dev.wait_event("got_ip")
    dev.process.wait_line("RuntimeError: callback failure")
    assert "'callbacks_raised': 1" in dev.value("netman.stats()")


def test_event_queue_overflow_is_counted(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    queue_len = int(dev.value("__import__('_netman').QUEUE_LEN"))
    burst = queue_len + 8
    # Block the VM thread so that nothing is drained while the burst arrives.
    mark = dev.process.send("print('BLOCKING') or select.poll().poll(1500)")
    dev.process.wait_line("^BLOCKING$", 10, start=mark)
    air.client.beacon_loss("home", count=burst)
    dev.process.wait_line("^OK ", 10, start=mark)
    time.sleep(0.3)
    stats = dev.value("netman.stats()")
    assert f"'queue_overflows': {burst - queue_len}" in stats
    assert f"'beacon_timeouts': {burst}" in stats  # the state machine saw them all
    assert len([e for e in dev.events() if ev_name(e) == "beacon_timeout"]) == queue_len


def test_air_going_away_is_reported_without_a_crash(probe, air) -> None:
    dev = probe()
    dev.wait_event("got_ip")
    air.stop()
    # The application hears of it as a disconnect, with the reason.
    assert dev.wait_event("disconnected", timeout=5).endswith("| disconnected")
    assert dev.value("netman.info()['disconnect_reason']") == "'no_radio'"
    assert dev.value("netman.sta_status()") == "'disconnected'"
    assert dev.error("netman.sta_connect()")[:2] == ["NetError", "no_radio"]
    dev.run("netman.stop()")
    assert dev.value("netman.sta_status()") == "'inactive'"


@pytest.mark.scenario("""
[[ap]]
ssid = "cafe"
""")
def test_open_network_joins_without_psk(probe) -> None:
    dev = probe("netman.start(sta=dict(ssid='cafe', **CB))")
    dev.wait_event("got_ip")
