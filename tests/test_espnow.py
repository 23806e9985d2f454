"""netman.espnow between device processes on one air: delivery, acks,
broadcast, encryption, irq, select.poll, peers, stats, floods and errors."""

from __future__ import annotations

import time

import pytest

from conftest import Probe

A, B, C, D = ("02:00:00:00:0e:0%d" % i for i in (1, 2, 3, 4))


def mac_bytes(mac: str) -> str:
    return repr(bytes.fromhex(mac.replace(":", "")))


def node(probe, name: str, mac: str, rxbuf: int | None = None, start: str = "netman.start(sta=dict(managed=True))") -> Probe:
    config = f"e.config(rxbuf={rxbuf})\n" if rxbuf else ""
    return probe(f"{start}\nfrom netman.espnow import ESPNow\nimport netman.espnow as espnow\ne = ESPNow()\n"
                 f"{config}e.active(True)", name=name, mac=mac)


@pytest.mark.scenario("")
def test_unicast_with_acknowledgement(probe) -> None:
    a, b = node(probe, "a", A), node(probe, "b", B, rxbuf=4096)
    a.run(f"e.add_peer({mac_bytes(B)})")
    assert a.value(f"e.send({mac_bytes(B)}, 'Starting...')") == "True"
    assert a.value(f"[e.send({mac_bytes(B)}, str(i) * 20, True) for i in range(20)] == [True] * 20") == "True"
    assert b.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'Starting...']"
    got = eval(b.value("[bytes(e.irecv(1000)[1]) for i in range(20)]"))
    assert got == [str(i).encode() * 20 for i in range(20)]
    assert eval(a.value("e.stats()"))[:3] == (21, 21, 0)
    assert eval(b.value("e.stats()"))[3:] == (21, 0)
    # Nothing more: (None, None) at the timeout.
    assert b.value("e.recv(50)") == "(None, None)"


@pytest.mark.scenario("")
def test_acks_come_from_the_radio_not_the_application(probe) -> None:
    a = node(probe, "a", A)
    probe("netman.start(sta=dict(managed=True))", name="quiet", mac=B)  # radio on, ESP-NOW off
    a.run(f"e.add_peer({mac_bytes(B)})")
    assert a.value(f"e.send({mac_bytes(B)}, b'hello')") == "True"
    a.run(f"e.add_peer({mac_bytes(C)})")  # nobody has this MAC
    assert a.value(f"e.send({mac_bytes(C)}, b'hello')") == "False"
    assert a.value(f"e.send({mac_bytes(C)}, b'hello', False)") == "True"  # not waiting: no verdict
    time.sleep(0.1)
    assert eval(a.value("e.stats()"))[:3] == (3, 1, 2)


@pytest.mark.scenario("")
def test_broadcast_and_send_to_all_peers(probe) -> None:
    a = node(probe, "a", A)
    b, c, d = (node(probe, n, m) for n, m in (("b", B), ("c", C), ("d", D)))
    a.run("e.add_peer(b'\\xff' * 6)")
    assert a.value("e.send(b'\\xff' * 6, b'to everyone')") == "True"
    for r in (b, c, d):
        assert r.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'to everyone']"
    # send(None, msg) / send(msg): every registered peer but the broadcast address.
    a.run(f"e.add_peer({mac_bytes(B)}); e.add_peer({mac_bytes(C)})")
    assert a.value("e.send(b'peers only')") == "True"
    for r in (b, c):
        assert r.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'peers only']"
    assert d.value("e.recv(200)") == "(None, None)"
    assert a.value("e.peer_count()") == "(3, 0)"


def test_only_devices_on_the_same_channel_hear(probe, air) -> None:
    # b joins "home" on channel 6; a stays on the default channel 1.
    a = node(probe, "a", A)
    b = node(probe, "b", B, start="netman.start(sta=dict(ssid='home', psk='secret123'))\nnetman.wait_for_sta()")
    a.run(f"e.add_peer({mac_bytes(B)})")
    assert a.value(f"e.send({mac_bytes(B)}, b'anyone?')") == "False"
    assert b.value("e.recv(200)") == "(None, None)"
    c = node(probe, "c", C, start="netman.start(sta=dict(ssid='home', psk='secret123'))\nnetman.wait_for_sta()")
    c.run(f"e.add_peer({mac_bytes(B)})")
    assert c.value(f"e.send({mac_bytes(B)}, b'same channel')") == "True"
    assert b.value("e.recv(1000)") == f"[{mac_bytes(C)}, b'same channel']"


@pytest.mark.scenario("")
def test_encrypted_peers_need_the_same_keys(probe) -> None:
    lmk = "b'0123456789abcdef'"
    a, b, c = node(probe, "a", A), node(probe, "b", B), node(probe, "c", C)
    a.run(f"e.add_peer({mac_bytes(B)}, {lmk}); e.add_peer({mac_bytes(C)}, {lmk})")
    assert a.value(f"e.get_peer({mac_bytes(B)})") == f"({mac_bytes(B)}, {lmk}, 0, 0, True)"
    b.run(f"e.add_peer({mac_bytes(A)}, {lmk})")          # same LMK and PMK: readable
    c.run(f"e.add_peer({mac_bytes(A)}, b'fedcba9876543210')")  # wrong LMK: dropped
    for r in (b, c):
        assert a.value(f"e.send({mac_bytes(r.process.name == 'b' and B or C)}, b'secret')") == "True"
    assert b.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'secret']"
    assert c.value("e.recv(300)") == "(None, None)"
    # Another PMK on the receiver: no longer readable.
    b.run("e.set_pmk(b'another-pmk-1234')")
    a.run(f"e.send({mac_bytes(B)}, b'secret again')")
    assert b.value("e.recv(300)") == "(None, None)"
    assert a.value("e.peer_count()") == "(2, 2)"


@pytest.mark.scenario("")
def test_irq_is_scheduled_once_per_burst(probe) -> None:
    a = node(probe, "a", A)
    b = node(probe, "b", B, rxbuf=4096)
    b.run("calls = [0]; got = []")
    b.run('exec("def on_recv(e):\\n calls[0] += 1\\n while True:\\n  mac, msg = e.irecv(0)\\n'
          '  if mac is None:\\n   return\\n  got.append(bytes(msg))\\n")')
    b.run("e.irq(on_recv)")
    a.run(f"e.add_peer({mac_bytes(B)})")
    mark = b.process.send("print('BLOCKING') or select.poll().poll(500)")
    b.process.wait_line("^BLOCKING$", start=mark)
    a.run(f"[e.send({mac_bytes(B)}, b'%03d' % i, False) for i in range(10)]")
    b.process.wait_line("^OK ", start=mark)
    deadline = time.monotonic() + 5
    while int(b.value("len(got)")) < 10:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert eval(b.value("got")) == [b"%03d" % i for i in range(10)]
    assert int(b.value("calls[0]")) < 10  # one burst, not one call per frame


@pytest.mark.scenario("")
def test_select_poll_and_recvinto_with_rssi(probe, air) -> None:
    a, b = node(probe, "a", A), node(probe, "b", B)
    b.run("p = select.poll(); p.register(e, select.POLLIN)")
    assert b.value("len(p.poll(0))") == "0"
    assert b.value("e.any()") == "False"
    a.run(f"e.add_peer({mac_bytes(B)})")
    air.client.set_espnow(rssi=-67)
    a.run(f"e.send({mac_bytes(B)}, b'ping')")
    deadline = time.monotonic() + 5
    while b.value("e.any()") != "True":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert b.value("len(p.poll(0))") == "1"
    b.run("data = [None, bytearray(250), 0, 0]")
    assert b.value("e.recvinto(data)") == "4"
    assert b.value("(data[0], bytes(data[1]), data[2])") == f"({mac_bytes(A)}, b'ping', -67)"
    assert b.value("e.peers_table[data[0]][0]") == "-67"
    assert b.value("data[0] is list(e.peers_table)[0]") == "True"  # the table's own key


@pytest.mark.scenario("""
[espnow]
loss = 0.0
""")
def test_flood_drops_are_counted_and_the_ring_stays_intact(probe) -> None:
    a = node(probe, "a", A)
    b = node(probe, "b", B, rxbuf=2048)
    a.run(f"e.add_peer({mac_bytes(B)})")
    mark = b.process.send("print('BLOCKING') or select.poll().poll(1500)")
    b.process.wait_line("^BLOCKING$", start=mark)
    # 300 frames of 100 bytes into a 2 KiB ring nobody reads meanwhile.
    a.run(f"[e.send({mac_bytes(B)}, (b'%04d' % i) * 25, False) for i in range(300)]")
    b.process.wait_line("^OK ", 10, start=mark)
    time.sleep(0.3)
    rx, dropped = eval(b.value("e.stats()"))[3:]
    assert rx + dropped == 300 and dropped > 0 and rx > 0
    frames = eval(b.value("[bytes(e.irecv(0)[1]) for i in range(%d)]" % rx))
    # What is in the ring is whole and in order: the oldest frames, each intact.
    assert frames == [(b"%04d" % i) * 25 for i in range(rx)]
    assert b.value("e.recv(0)") == "(None, None)"
    assert b.value("netman.sta_status()") == "'disconnected'"  # the firmware goes on


def test_espnow_needs_the_radio(probe) -> None:
    dev = probe("from netman.espnow import ESPNow\ne = ESPNow()", air=None)
    assert dev.value("ESPNow() is e") == "True"
    assert dev.error("e.active(True)")[0] == "OSError"
    assert dev.value("e.active()") == "False"
    assert "ESP_ERR_ESPNOW_IF" in dev.run("e.active(True)")


ERRORS = [
    ("e.send(b'\\x01\\x02\\x03', b'x')", "ValueError", "mac"),
    ("e.add_peer(b'\\x01\\x02\\x03')", "ValueError", "mac"),
    (f"e.send({mac_bytes(B)}, b'x' * 251)", "ValueError", "250"),
    (f"e.send({mac_bytes(B)}, b'')", "ValueError", "msg"),
    (f"e.send({mac_bytes(C)}, b'x')", "OSError", "ESP_ERR_ESPNOW_NOT_FOUND"),
    (f"e.add_peer({mac_bytes(B)})", "OSError", "ESP_ERR_ESPNOW_EXIST"),
    (f"e.add_peer({mac_bytes(C)}, b'short')", "ValueError", "lmk"),
    ("e.set_pmk(b'x' * 15)", "ValueError", "pmk"),
    ("e.add_peer(b'\\xff' * 6, b'0123456789abcdef')", "ValueError", "broadcast"),
    (f"e.del_peer({mac_bytes(C)})", "OSError", "ESP_ERR_ESPNOW_NOT_FOUND"),
    ("e.config(rxbuf=100)", "ValueError", "rxbuf"),
    ("e.config(colour=1)", "ValueError", "colour"),
    ("e.config('rate')", "ValueError", "rate"),
    ("e.recv(timeout_ms='x')", "ValueError", "timeout_ms"),
]


@pytest.mark.scenario("")
@pytest.mark.parametrize("call,kind,word", ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_bad_input(probe, call: str, kind: str, word: str) -> None:
    dev = node(probe, "a", A)
    dev.run(f"e.add_peer({mac_bytes(B)})")
    answer = dev.run(call)
    assert answer.startswith(f"ERR {kind} "), answer
    assert word in answer, answer


@pytest.mark.scenario("")
def test_peer_limits(probe) -> None:
    dev = node(probe, "a", A)
    dev.run("macs = [bytes([2, 0, 0, 0, 1, i]) for i in range(21)]")
    dev.run("[e.add_peer(m, b'0123456789abcdef' if i < 6 else None) for i, m in enumerate(macs[:20])]")
    assert dev.value("e.peer_count()") == "(20, 6)"
    assert "ESP_ERR_ESPNOW_FULL" in dev.run("e.add_peer(macs[20])")
    dev.run("e.del_peer(macs[19])")
    assert "ESP_ERR_ESPNOW_FULL" in dev.run("e.add_peer(macs[20], b'0123456789abcdef')")  # the 7th encrypted
    dev.run("e.add_peer(macs[20])")
    dev.run("e.mod_peer(macs[20], channel=3)")
    assert dev.value("e.get_peer(macs[20])[2]") == "3"


@pytest.mark.scenario("")
def test_use_before_active_and_after_stop(probe) -> None:
    dev = probe("netman.start(sta=dict(managed=True))\nfrom netman.espnow import ESPNow\ne = ESPNow()")
    for call in (f"e.send({mac_bytes(B)}, b'x')", f"e.add_peer({mac_bytes(B)})", "e.recv(0)", "e.get_peers()"):
        assert "ESP_ERR_ESPNOW_NOT_INIT" in dev.run(call), call
    dev.run("e.active(True)")
    dev.run("netman.stop()")  # ESP-NOW needs the radio: it stops with the network
    assert dev.value("e.active()") == "False"


@pytest.mark.scenario("")
def test_atomvm_style_start_with_a_recv_callback(probe) -> None:
    a = node(probe, "a", A)
    b = probe("got = []\nnetman.start(espnow={'rxbuf': 2048, 'recv': lambda mac, msg: got.append((mac, msg))})",
              name="b", mac=B)
    a.run(f"e.add_peer({mac_bytes(B)})")
    a.run(f"[e.send({mac_bytes(B)}, b'n%d' % i) for i in range(5)]")
    deadline = time.monotonic() + 5
    while int(b.value("len(got)")) < 5:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert eval(b.value("got")) == [(bytes.fromhex(A.replace(":", "")), b"n%d" % i) for i in range(5)]
    assert b.value("netman.sta_status()") == "'inactive'"  # ESP-NOW alone needs no station


@pytest.mark.scenario("")
def test_aioespnow_echo(probe) -> None:
    a = node(probe, "a", A)
    b = probe("""
netman.start(sta=dict(managed=True))
import asyncio
from netman.aioespnow import AIOESPNow
e = AIOESPNow()
e.active(True)
async def echo(count):
    ticks = [0]
    t = asyncio.create_task(ticker(ticks))
    n = 0
    async for mac, msg in e:
        try:
            ok = await e.asend(mac, msg)
        except OSError as err:
            if err.args[1] != 'ESP_ERR_ESPNOW_NOT_FOUND':
                raise
            e.add_peer(mac)
            ok = await e.asend(mac, msg)
        n += 1
        if n == count:
            break
    t.cancel()
    print('ECHOED', n, ok, ticks[0] > 3)
""", name="b", mac=B)
    mark = b.process.send("asyncio.run(echo(3))")
    a.run(f"e.add_peer({mac_bytes(B)})")
    time.sleep(0.3)  # the echo server waits: its other task must keep running
    for i in range(3):
        a.run(f"e.send({mac_bytes(B)}, b'ping%d' % {i})")
        assert a.value("e.recv(2000)") == f"[{mac_bytes(B)}, b'ping{i}']"
    b.process.wait_line("^ECHOED 3 True True$", start=mark)
    b.process.wait_line("^OK None$", start=mark)  # asyncio.run's own answer, before the next command
    assert b.value("asyncio.run(e.arecv()) if e.any() else 'empty'") == "'empty'"


@pytest.mark.scenario("")
def test_lost_frames_are_neither_delivered_nor_acknowledged(probe, air) -> None:
    a, b = node(probe, "a", A), node(probe, "b", B, rxbuf=8192)
    a.run(f"e.add_peer({mac_bytes(B)})")
    air.client.set_espnow(loss=1.0)
    assert a.value(f"e.send({mac_bytes(B)}, b'gone')") == "False"
    assert b.value("e.recv(200)") == "(None, None)"
    air.client.set_espnow(loss=0.5)
    acks = eval(a.value(f"[e.send({mac_bytes(B)}, b'%03d' % i) for i in range(100)]"))
    time.sleep(0.2)
    received = int(b.value("e.stats()[3]"))
    assert 20 < sum(acks) < 80
    assert received == sum(acks)  # exactly the acknowledged frames arrived


@pytest.mark.scenario("")
def test_recvinto_checks_its_buffers(probe) -> None:
    a, b = node(probe, "a", A), node(probe, "b", B)
    a.run(f"e.add_peer({mac_bytes(B)})")
    a.run(f"e.send({mac_bytes(B)}, b'one'); e.send({mac_bytes(B)}, b'two')")
    for bad in ("(None, bytearray(250))", "[None, bytes(250)]", "[None, bytearray(10)]", "[None]"):
        answer = b.run(f"e.recvinto({bad}, 1000)")
        assert answer.startswith("ERR ValueError"), (bad, answer)
    # The application may mangle peers_table; reading still works.
    assert b.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'one']"
    b.run(f"e.peers_table[{mac_bytes(A)}] = 'mine'")
    assert b.value("e.recv(1000)") == f"[{mac_bytes(A)}, b'two']"
    assert b.value(f"e.peers_table[{mac_bytes(A)}][0]") == "-50"
