"""netman.sniffer against the air's real 802.11 frames: beacons, probes,
joins, DHCP, power save, ESP-NOW and raw frames from other devices; the
filters, channel hopping, the ring's overflow count, the burst callback,
asyncio iteration, reads that allocate nothing, and the errors."""

from __future__ import annotations

import struct
import time

import pytest

from conftest import Probe
from netsim import frames as f

SNIFFER = """
import time
from netman.sniffer import Sniffer
sn = Sniffer()
def grab(ms=600, limit=400):
    # Frames for `ms` as (channel, rssi, length, hex of the bytes kept).
    out = []
    end = time.ticks_add(time.ticks_ms(), ms)
    while time.ticks_diff(end, time.ticks_ms()) > 0 and len(out) < limit:
        frame = sn.irecv(20)
        if frame is not None:
            out.append((frame.channel, frame.rssi, frame.length, bytes(frame.data).hex()))
    return out
"""

AIR = """
[[ap]]
ssid = "home"
psk = "secret123"
bssid = "02:00:00:00:00:06"
channel = 6
rssi = -55
[[ap]]
ssid = "hideout"
bssid = "02:00:00:00:00:07"
channel = 6
rssi = -60
hidden = true
beacon_interval = 200
[[ap]]
ssid = "corner"
bssid = "02:00:00:00:00:01"
channel = 1
rssi = -70
"""

HOME, HIDEOUT, CORNER = (bytes.fromhex(b) for b in ("020000000006", "020000000007", "020000000001"))
SNIFFER_MAC, OTHER_MAC = "02:00:00:00:5f:01", "02:00:00:00:5f:02"
OTHER = bytes.fromhex(OTHER_MAC.replace(":", ""))


def sniffer(probe, start: str = "channel=6", netman_start: str = "netman.start(sta=dict(managed=True))",
            name: str = "sniffer", mac: str = SNIFFER_MAC, code: str = "") -> Probe:
    dev: Probe = probe(f"{netman_start}\n{SNIFFER}\n{code}\nsn.start({start})", name=name, mac=mac)
    assert dev.value("sn.active()") == "True"
    return dev


def grab(dev: Probe, ms: int = 600) -> list[tuple[int, int, int, bytes]]:
    answer = dev.run(f"grab({ms})", timeout=ms / 1000 + 10)
    assert answer.startswith("OK "), answer
    return [(c, r, n, bytes.fromhex(h)) for c, r, n, h in eval(answer[3:])]


def of_kind(got: list[tuple[int, int, int, bytes]], kind: int, subtype: int) -> list[bytes]:
    return [frame for _, _, _, frame in got if f.kind(frame) == (kind, subtype)]


@pytest.mark.scenario(AIR)
def test_beacons_of_the_aps_on_the_channel_at_their_interval(probe) -> None:
    dev = sniffer(probe)
    got = grab(dev, 1000)
    beacons = of_kind(got, f.MGMT, f.BEACON)
    home = [b for b in beacons if f.addresses(b)[1] == HOME]
    hidden = [b for b in beacons if f.addresses(b)[1] == HIDEOUT]
    assert 7 <= len(home) <= 12              # every 102.4 ms
    assert 3 <= len(hidden) <= 7             # every 204.8 ms
    assert not [b for b in beacons if f.addresses(b)[1] == CORNER]  # channel 1: not heard on 6
    ies = f.elements(home[0])
    assert ies[0] == b"home" and ies[3] == b"\x06"
    assert ies[48][2:6] == f.CCMP and ies[48][-6:-2] == f.AKM["psk"]      # WPA2-PSK in the RSN element
    assert struct.unpack("<H", home[0][32:34])[0] == 100                  # the beacon interval, TU
    assert f.elements(hidden[0])[0] == b""                                # a hidden AP beacons no SSID
    assert all(r == -55 for c, r, _, b in got if f.addresses(b)[1] == HOME and c == 6)
    # Sequence numbers count up per transmitter.
    numbers = [struct.unpack("<H", b[22:24])[0] >> 4 for b in home]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    # A timestamp that moves on: microseconds of the AP's clock.
    assert struct.unpack("<Q", home[-1][24:32])[0] > struct.unpack("<Q", home[0][24:32])[0]


@pytest.mark.scenario(AIR)
def test_a_scanning_device_is_seen_by_its_probe_requests_and_the_answers(probe) -> None:
    dev = sniffer(probe, "channel=6, types=('mgmt',), subtypes=('probe_req', 'probe_resp')")
    other = probe("netman.start(sta=dict(managed=True))", name="other", mac=OTHER_MAC)
    mark = other.process.send("netman.wifi_scan(ssid='hideout')")
    got = grab(dev, 1200)
    other.process.wait_line("^OK", 10, start=mark)
    requests = of_kind(got, f.MGMT, f.PROBE_REQ)
    assert requests and all(f.addresses(r)[1] == OTHER for r in requests)
    assert f.elements(requests[0])[0] == b"hideout"
    responses = of_kind(got, f.MGMT, f.PROBE_RESP)
    # Both APs on 6 answer a probe for the hidden one's name... the hidden AP only because it is named.
    assert {f.addresses(r)[1] for r in responses} == {HOME, HIDEOUT}
    assert all(f.addresses(r)[0] == OTHER for r in responses)
    assert {f.elements(r)[0] for r in responses} == {b"home", b"hideout"}
    assert not of_kind(got, f.MGMT, f.BEACON)   # filtered by subtype
    stats = eval(dev.value("sn.stats()"))
    assert stats["received"] == len(got) and stats["filtered"] > 0 and stats["dropped"] == 0


@pytest.mark.scenario(AIR)
def test_a_join_its_dhcp_power_save_and_leave_as_frames(probe) -> None:
    dev = sniffer(probe, "channel=6, types=('mgmt', 'data'), subtypes=('auth', 'assoc_req', 'assoc_resp', 'deauth')")
    other = probe("netman.start(sta=dict(ssid='home', psk='secret123', **CB), radio=dict(power_save='max'))",
                  name="other", mac=OTHER_MAC)
    other.wait_event("got_ip")
    other.run("netman.sta_disconnect()")
    other.wait_event("disconnected")
    got = grab(dev, 300)
    order = [f.kind(frame) for _, _, _, frame in got if f.kind(frame)[0] == f.MGMT]
    assert order == [(f.MGMT, f.AUTH), (f.MGMT, f.AUTH), (f.MGMT, f.ASSOC_REQ), (f.MGMT, f.ASSOC_RESP),
                     (f.MGMT, f.DEAUTH)]
    auth = of_kind(got, f.MGMT, f.AUTH)
    assert f.addresses(auth[0])[:2] == (HOME, OTHER) and f.addresses(auth[1])[:2] == (OTHER, HOME)
    assert f.elements(of_kind(got, f.MGMT, f.ASSOC_REQ)[0])[0] == b"home"
    deauth = of_kind(got, f.MGMT, f.DEAUTH)[0]
    assert f.addresses(deauth)[:2] == (HOME, OTHER) and struct.unpack("<H", deauth[24:26])[0] == 3  # leaving
    data = [frame for _, _, _, frame in got if f.kind(frame)[0] == f.DATA]
    dhcp = [d for d in data if f.kind(d)[1] == f.DATA_PLAIN]
    assert len(dhcp) == 4
    # To the AP, from it, ...: on a WPA2 network the bodies are encrypted (headers only in the clear).
    assert [d[1] & 3 for d in dhcp] == [f.TO_DS, f.FROM_DS, f.TO_DS, f.FROM_DS]
    assert all(d[1] & f.PROTECTED for d in dhcp)
    null = [d for d in data if f.kind(d)[1] == f.NULL_DATA]
    assert len(null) == 1 and null[0][1] & f.POWER_MGMT and f.addresses(null[0])[1] == OTHER


@pytest.mark.scenario(AIR)
def test_a_refused_key_ends_in_the_aps_deauthentication(probe) -> None:
    dev = sniffer(probe, "channel=6, types=('mgmt',), subtypes=('deauth',)")
    other = probe("netman.start(sta=dict(ssid='home', psk='wrong-key', **CB))", name="other", mac=OTHER_MAC)
    other.wait_event("disconnected")
    deauth = of_kind(grab(dev, 200), f.MGMT, f.DEAUTH)
    assert len(deauth) >= 1
    assert f.addresses(deauth[0])[:2] == (OTHER, HOME)
    assert struct.unpack("<H", deauth[0][24:26])[0] == 15   # 4-way handshake timeout


@pytest.mark.scenario("")
def test_espnow_frames_are_vendor_action_frames(probe) -> None:
    dev = sniffer(probe, "channel=1, types=('mgmt',), subtypes=('action',)")
    other = probe("netman.start(sta=dict(managed=True))\nfrom netman.espnow import ESPNow\ne = ESPNow()\n"
                  "e.active(True)\ne.add_peer(b'\\xff' * 6)", name="other", mac=OTHER_MAC)
    other.run("e.send(b'\\xff' * 6, b'hello sniffer')")
    action = of_kind(grab(dev, 300), f.MGMT, f.ACTION)
    assert len(action) == 1
    assert f.addresses(action[0]) == (b"\xff" * 6, OTHER, b"\xff" * 6)
    body = action[0][24:]
    assert body[0] == 127 and body[1:4] == f.ESPRESSIF_OUI
    assert body[8] == 221 and body[10:13] == f.ESPRESSIF_OUI and body[13:15] == b"\x04\x01"
    assert body[15:] == b"hello sniffer"


@pytest.mark.scenario("")
def test_send_raw_reaches_sniffers_on_the_channel_only(probe, air) -> None:
    here = sniffer(probe, "channel=3", name="here", mac="02:00:00:00:5f:03")
    there = sniffer(probe, "channel=4", name="there", mac="02:00:00:00:5f:04")
    sender = sniffer(probe, "channel=3", name="sender", mac=OTHER_MAC)
    raw = f.beacon(OTHER, b"fake", 3, "open", 100, 0, 7, False)
    sender.run(f"netman.send_raw({raw!r})")
    assert [frame for _, _, _, frame in grab(here, 200)] == [raw]
    assert grab(there, 100) == []
    assert grab(sender, 100) == []             # a radio does not hear itself
    assert air.client.history("raw_tx")[-1] == {**air.client.history("raw_tx")[-1], "length": len(raw),
                                                "channel": 3}
    sender.rejects("netman.send_raw(b'x' * 23)", "ValueError", ["24 to 1500", "23"])
    sender.rejects("netman.send_raw(b'x' * 1501)", "ValueError", ["24 to 1500"])
    sender.rejects("netman.send_raw(42)", "TypeError", [])
    sender.run("netman.stop()")
    sender.rejects("netman.send_raw(b'x' * 30)", "NetError", ["not started"])


@pytest.mark.scenario("")
def test_control_frames_and_their_subtype_filter(probe) -> None:
    dev = sniffer(probe, "channel=2, types=('ctrl',), ctrl_subtypes=('ba',)")
    sender = probe("netman.start(sta=dict(managed=True))\nfrom netman.sniffer import Sniffer\nSniffer().start(channel=2)",
                   name="sender", mac=OTHER_MAC)
    block_ack = f.control_field(f.CTRL, 9) + bytes(2) + b"\x02" * 6 + OTHER + bytes(12)
    bar = f.control_field(f.CTRL, 8) + bytes(2) + b"\x02" * 6 + OTHER + bytes(12)
    sender.run(f"netman.send_raw({block_ack!r}); netman.send_raw({bar!r})")
    got = grab(dev, 200)
    assert [frame for _, _, _, frame in got] == [block_ack]
    assert eval(dev.value("sn.stats()"))["filtered"] == 1


@pytest.mark.scenario(AIR)
def test_channel_hopping_hears_each_channel_in_turn(probe, air) -> None:
    dev = sniffer(probe, "channels=(1, 6), dwell=150, types=('mgmt',), subtypes=('beacon',)")
    got = grab(dev, 1500)
    heard = {(c, f.addresses(b)[1]) for c, _, _, b in got}
    assert (1, CORNER) in heard and (6, HOME) in heard
    assert not [b for c, _, _, b in got if (c == 1) != (f.addresses(b)[1] == CORNER)]
    assert air.client.history("sniff")[-1]["channels"] == [1, 6]


@pytest.mark.scenario(AIR)
def test_snaplen_keeps_the_first_bytes_and_the_length_on_the_air(probe) -> None:
    dev = sniffer(probe, "channel=6, snaplen=24, subtypes=('beacon',)")
    got = grab(dev, 300)
    assert got and all(len(frame) == 24 and length > 24 for _, _, length, frame in got)
    assert dev.value("sn.irecv(500).type, sn.irecv(500).subtype") == "(0, 8)"


@pytest.mark.scenario("")
def test_a_full_ring_drops_the_newest_and_counts_them(probe, air) -> None:
    dev = sniffer(probe, "channel=1, rxbuf=2000, snaplen=64")
    # 100 frames of 64 bytes (74 in the ring) while the application is busy.
    mark = dev.process.send("time.sleep_ms(800)")
    air.client.sniff_flood(SNIFFER_MAC, 100, 64)
    dev.process.wait_line("^OK", 10, start=mark)
    got = grab(dev, 100)
    stats = eval(dev.value("sn.stats()"))
    assert stats["received"] == len(got) == 2000 // 74 and stats["dropped"] == 100 - len(got)
    # The oldest frames were kept, in order.
    assert [int.from_bytes(frame[24:28], "big") for _, _, _, frame in got] == list(range(len(got)))


@pytest.mark.scenario("")
def test_the_callback_runs_once_per_burst_and_drains_it(probe, air) -> None:
    dev = sniffer(probe, "channel=1", code="calls = []\nframes = []\n"
                  "def drain(s):\n"
                  "    calls.append(1)\n"
                  "    while s.irecv() is not None:\n"
                  "        frames.append(1)\n")
    dev.run("sn.irq(drain)")
    mark = dev.process.send("time.sleep_ms(500)")
    air.client.sniff_flood(SNIFFER_MAC, 50, 40)
    dev.process.wait_line("^OK", 10, start=mark)
    time.sleep(0.2)
    assert dev.value("len(frames)") == "50"
    assert 1 <= int(dev.value("len(calls)")) <= 5
    dev.run("sn.irq(None)")
    air.client.sniff_flood(SNIFFER_MAC, 5, 40)
    time.sleep(0.2)
    assert dev.value("len(frames), sn.any()") == "(50, True)"
    dev.rejects("sn.irq(42)", "TypeError", ["callable"])


@pytest.mark.scenario(AIR)
def test_async_for_reads_frames_while_other_tasks_run(probe) -> None:
    dev = sniffer(probe, "channel=6, subtypes=('beacon',)", code="import asyncio\n"
                  "async def main():\n"
            "    counter = [0]\n"
            "    task = asyncio.create_task(ticker(counter))\n"
            "    got = []\n"
            "    async for frame in sn:\n"
            "        got.append(frame.subtype)\n"
            "        if len(got) == 5:\n"
            "            break\n"
            "    task.cancel()\n"
            "    return got, counter[0]\n")
    answer = dev.run("asyncio.run(main())", timeout=15)
    got, ticks = eval(answer[3:])
    assert got == [8] * 5 and ticks > 20


@pytest.mark.scenario("")
def test_reading_frames_allocates_nothing(probe, air) -> None:
    dev = sniffer(probe, "channel=1, rxbuf=40000, snaplen=128", code="import gc\n"
                  "def heap_per_read():\n"
                  "    frame = sn.irecv()\n"
                  "    gc.collect()\n"
                  "    gc.disable()\n"
                  "    before = gc.mem_alloc()\n"
                  "    n = reads = 0\n"
                  "    for frame in sn:\n"
                  "        n += frame.length + frame.rssi + frame.channel + frame.time_ms + frame.data[0] + frame.type\n"
                  "        reads += 1\n"
                  "        if not sn.any():\n"
                  "            break\n"
                  "    used = gc.mem_alloc() - before\n"
                  "    gc.enable()\n"
                  "    return reads, used\n")
    mark = dev.process.send("time.sleep_ms(600)")
    air.client.sniff_flood(SNIFFER_MAC, 300, 100)
    dev.process.wait_line("^OK", 10, start=mark)
    assert dev.value("heap_per_read()") == "(299, 0)"


@pytest.mark.scenario(AIR)
def test_it_stops_with_the_network_and_iteration_ends(probe, air) -> None:
    dev = sniffer(probe)
    dev.run("sn.stop()")
    assert dev.value("sn.active(), list(sn), sn.irecv(50)") == "(False, [], None)"
    dev.run("sn.start(channel=6)")
    dev.run("netman.stop()")
    assert dev.value("sn.active()") == "False"
    air.client.wait_for("sniff", count=2, active=False)  # sn.stop()'s, then the stop's
    dev.rejects("sn.start()", "NetError", ["not started"])


@pytest.mark.scenario(AIR)
def test_bad_options_name_the_key(probe) -> None:
    dev = probe(f"netman.start(sta=dict(managed=True))\n{SNIFFER}")
    dev.rejects("sn.start(chanel=6)", "ValueError", ["unknown key 'chanel'", "did you mean 'channel'"])
    dev.rejects("sn.start(channel=14)", "ValueError", ["'channel'", "1 to 13"])
    dev.rejects("sn.start(channel=0)", "ValueError", ["'channel'", "1 to 14"])
    dev.rejects("sn.start(channel=1, channels=(1, 6))", "ValueError", ["not both"])
    dev.rejects("sn.start(channels=())", "TypeError", ["'channels'", "1 to 14"])
    dev.rejects("sn.start(dwell=5, channels=(1, 6))", "ValueError", ["'dwell'", "10 to 60000"])
    dev.rejects("sn.start(types=('mgmt', 'beacons'))", "ValueError", ["'types'", "'beacons'"])
    dev.rejects("sn.start(subtypes=('probe',))", "ValueError", ["'subtypes'", "'probe'", "probe_req"])
    dev.rejects("sn.start(ctrl_subtypes='ack')", "TypeError", ["'ctrl_subtypes'"])
    dev.rejects("sn.start(snaplen=8)", "ValueError", ["'snaplen'", "10 to 2346"])
    dev.rejects("sn.start(snaplen=256, rxbuf=100)", "ValueError", ["'rxbuf'", "266"])
    dev.rejects("sn.recvinto(bytearray(100))", "TypeError", ["SnifferFrame"])
    dev.rejects("netman.sniffer.SnifferFrame(5)", "ValueError", ["capacity", "10 to 2346"])
    assert dev.value("sn.active()") == "False"
    dev.run("netman.radio(country='JP'); sn.start(channel=14)")
    assert dev.value("sn.config()['channel']") == "14"


@pytest.mark.scenario(AIR)
def test_the_station_holds_the_radio_on_its_channel(probe) -> None:
    dev = probe(f"netman.start(sta=dict(ssid='home', psk='secret123', **CB))\n{SNIFFER}")
    dev.wait_event("got_ip")
    kind, reason, message = dev.error("sn.start(channel=1)")
    assert (kind, reason) == ("NetError", "busy")
    assert "channel 6" in message
    dev.run("sn.start(subtypes=('beacon',))")        # the radio's channel: the AP's
    got = grab(dev, 400)
    assert got and all(c == 6 for c, _, _, _ in got)


@pytest.mark.scenario(AIR)
def test_pycoms_promiscuous_example_runs_unchanged(probe) -> None:
    # The example of Pycom's WLAN reference, with netman's import and start.
    dev = probe("netman.start(sta=dict(managed=True))\n"
                "from netman.pycom import WLAN\n"
                "import ubinascii\n"
                "seen = []\n"
                "def pack_cb(pack):\n"
                "    mac = bytearray(6)\n"
                "    pk = wlan.wifi_packet()\n"
                "    control = pk.data[0]\n"
                "    subtype = (0xF0 & control) >> 4\n"
                "    type = 0x0C & control\n"
                "    if subtype == 4:\n"
                "        for i in range (0,6):\n"
                "            mac[i] = pk.data[10 + i]\n"
                "        seen.append('Wifi Node with MAC: {}'.format(ubinascii.hexlify(mac)))\n"
                "wlan = WLAN()\n"
                "wlan.callback(trigger=WLAN.EVENT_PKT_MGMT, handler=pack_cb)\n"
                "wlan.promiscuous(True)\n", mac=SNIFFER_MAC)
    assert dev.value("wlan.promiscuous()") == "True"
    dev.run("wlan.channel(6)")
    other = probe("netman.start(sta=dict(managed=True))", name="other", mac=OTHER_MAC)
    other.run("netman.wifi_scan(channel=6)")
    time.sleep(0.3)
    assert "Wifi Node with MAC: b'020000005f02'" in eval(dev.value("seen"))
    assert int(dev.value("wlan.events()")) == 1       # EVENT_PKT_MGMT: beacons and probes
    assert dev.value("wlan.events()") == "0"
    packet = eval(dev.value("(wlan.wifi_packet().channel, wlan.wifi_packet()[11], wlan.wifi_packet().rssi)"))
    assert packet[0] == packet[1] == 6
    assert dev.value("wlan.ctrl_pkt_filter()") == str(0xFF800000)
    dev.run("wlan.ctrl_pkt_filter(WLAN.FILTER_CTRL_PKT_ACK | WLAN.FILTER_CTRL_PKT_CTS)")
    assert dev.value("sorted(netman.sniffer.Sniffer().config()['ctrl_subtypes'])") == "['ack', 'cts']"
    dev.rejects("wlan.ctrl_pkt_filter(1)", "ValueError", ["FILTER_CTRL_PKT_"])
    dev.rejects("wlan.callback(trigger=0x40, handler=pack_cb)", "ValueError", ["EVENT_PKT_"])
    dev.run("wlan.promiscuous(False)")
    assert dev.value("wlan.promiscuous()") == "False"
    dev.rejects("wlan.channel(6)", "OSError", ["promiscuous"])
