"""mDNS on the host build: a real DNS client (dnspython) asks the device's
responder on its own loopback address."""

from __future__ import annotations

import os
import socket
import time

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import pytest

from conftest import DEFAULT_SCENARIO, Probe

# Port 5353 on a device's address is shared with whatever else binds there
# (SO_REUSEADDR): each run of this file takes a /24 of its own, so test
# suites run side by side on one machine never answer each other.
NET = f"127.{78 + os.getpid() % 20}.{os.getpid() // 20 % 256}"
pytestmark = pytest.mark.scenario(f'[dhcp]\nnetwork = "{NET}.0/24"\n' + DEFAULT_SCENARIO)

SERVICES = "[('_http', '_tcp', 8080, 'Kitchen web'), ('_repl', '_tcp', 23, 'Kitchen REPL')]"
STA = "sta=dict(ssid='home', psk='secret123', **CB)"


def ask(address: str, name: str, rdtype: str, timeout: float = 2.0) -> list[str]:
    query = dns.message.make_query(name, rdtype)
    reply = dns.query.udp(query, address, port=5353, timeout=timeout)
    assert reply.id == query.id
    return sorted(str(rr) for rrset in reply.answer for rr in rrset)


def address_of(dev: Probe) -> str:
    line = dev.wait_event("got_ip")
    return line.split("'")[1]


def wait_running(dev: Probe) -> dict:
    deadline = time.monotonic() + 5
    while True:
        status = eval(dev.value("netman.mdns_status()"))
        if status["running"]:
            return status
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_answers_for_the_host_and_its_services(probe, air) -> None:
    dev = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen', 'services': {SERVICES}}})")
    address = address_of(dev)
    wait_running(dev)
    assert ask(address, "kitchen.local.", "A") == [address]
    assert ask(address, "KITCHEN.Local.", "A") == [address]  # names are case-insensitive
    assert ask(address, "_services._dns-sd._udp.local.", "PTR") == ["_http._tcp.local.", "_repl._tcp.local."]
    assert ask(address, "_http._tcp.local.", "PTR") == ["Kitchen\\032web._http._tcp.local."]
    assert ask(address, "Kitchen web._http._tcp.local.", "SRV") == ["0 0 8080 kitchen.local."]
    assert ask(address, "Kitchen REPL._repl._tcp.local.", "TXT") == ['""']
    assert ask(address, "kitchen.local.", "ANY") == [address]
    announce = air.client.history("mdns_announce")
    assert announce[0]["name"] == "kitchen" and announce[0]["address"] == address


def test_unknown_names_get_no_answer(probe) -> None:
    dev = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})")
    address = address_of(dev)
    wait_running(dev)
    for name, rdtype in [("garage.local.", "A"), ("_ipp._tcp.local.", "PTR"), ("kitchen.local.", "AAAA")]:
        with pytest.raises(dns.exception.Timeout):
            ask(address, name, rdtype, timeout=0.4)
    assert ask(address, "kitchen.local.", "A") == [address]


def test_malformed_queries_are_ignored(probe) -> None:
    dev = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})")
    address = address_of(dev)
    wait_running(dev)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (b"", b"\x00" * 5, b"\x12\x34\x00\x00\x00\x01" + bytes(6) + b"\x3fabc",
                     b"\x12\x34\x00\x00\x00\x01" + bytes(6) + b"\xc0\x0c\x00\x01\x00\x01"):
            sock.sendto(junk, (address, 5353))
    assert ask(address, "kitchen.local.", "A") == [address]
    assert dev.value("netman.sta_status()") == "'connected'"


def test_default_hostname_and_the_host_alias(probe) -> None:
    dev = probe(f"netman.start({STA}, mdns={{}})", mac="02:00:00:00:00:5a")
    address = address_of(dev)
    assert wait_running(dev)["hostname"] == "mpy-02000000005a"
    assert ask(address, "mpy-02000000005a.local.", "A") == [address]
    dev.run("netman.stop()")
    mark = dev.mark()
    dev.run(f"netman.start({STA}, mdns={{'host': 'attic'}})")
    address = dev.wait_event("got_ip", start=mark).split("'")[1]
    wait_running(dev)
    assert ask(address, "attic.local.", "A") == [address]


def test_a_taken_name_becomes_name_2(probe, air) -> None:
    first = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})", name="first")
    first_address = address_of(first)
    wait_running(first)
    second = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})", name="second")
    second_address = address_of(second)
    second.process.wait_line(r"^netman: mDNS name 'kitchen\.local' is taken; answering as 'kitchen-2\.local'$")
    status = wait_running(second)
    assert (status["hostname"], status["conflict"]) == ("kitchen-2", True)
    assert ask(second_address, "kitchen-2.local.", "A") == [second_address]
    assert ask(first_address, "kitchen.local.", "A") == [first_address]
    assert air.client.history("mdns_conflict")[0]["granted"] == "kitchen-2"


def test_reannounces_after_every_reconnect_with_the_new_address(probe, air) -> None:
    dev = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})")
    first = address_of(dev)
    wait_running(dev)
    mark = dev.mark()
    # A new static address: the name must follow it.
    dev.run(f"netman.sta_connect(ip=('{NET}.200', '255.255.255.0', '{NET}.1', '{NET}.1'))")
    dev.wait_event("got_ip", start=mark)
    air.client.wait_for("mdns_announce", count=2)
    assert air.client.history("mdns_announce")[-1]["address"] == f"{NET}.200"
    wait_running(dev)
    assert ask(f"{NET}.200", "kitchen.local.", "A") == [f"{NET}.200"]
    with pytest.raises(dns.exception.Timeout):
        ask(first, "kitchen.local.", "A", timeout=0.4)  # nobody answers at the old address


def test_silent_while_disconnected(probe) -> None:
    dev = probe(f"netman.start({STA}, mdns={{'hostname': 'kitchen'}})")
    address = address_of(dev)
    wait_running(dev)
    dev.run("netman.sta_disconnect()")
    dev.wait_event("disconnected")
    assert eval(dev.value("netman.mdns_status()"))["running"] is False
    with pytest.raises(dns.exception.Timeout):
        ask(address, "kitchen.local.", "A", timeout=0.4)


BAD_MDNS = [
    ("{'hostname': 'bad name'}", "ValueError", ["'hostname'", "letters, digits"]),
    ("{'hostname': 'a.b'}", "ValueError", ["'hostname'"]),
    ("{'hostname': '-x'}", "ValueError", ["'hostname'", "start or end"]),
    ("{'hostname': 'x', 'host': 'y'}", "ValueError", ["given twice"]),
    ("{'hostnme': 'x'}", "ValueError", ["did you mean 'hostname'"]),
    ("{'ttl': 0}", "ValueError", ["'ttl'"]),
    ("{'services': [('http', '_tcp', 80, 'web')]}", "ValueError", ["service must be '_'"]),
    ("{'services': [('_http', '_sctp', 80, 'web')]}", "ValueError", ["proto must be '_tcp' or '_udp'"]),
    ("{'services': [('_http', '_tcp', 0, 'web')]}", "ValueError", ["port", "1 to 65535"]),
    ("{'services': [('_http', '_tcp', 80, 'my.web')]}", "ValueError", ["instance", "'.'"]),
    ("{'services': [('_http', '_tcp', 80)]}", "TypeError", ["(service, proto, port, instance)"]),
    ("{'services': [('_http', '_tcp', 80, 'w')] * 9}", "TypeError", ["at most 8"]),
]


@pytest.mark.parametrize("value,kind,words", BAD_MDNS, ids=[b[0] for b in BAD_MDNS])
def test_bad_mdns_config(probe, air, value: str, kind: str, words: list[str]) -> None:
    dev = probe("")
    dev.rejects(f"netman.start({STA}, mdns={value})", kind, words)
    assert air.client.history("device_joined_air") == []


def test_mdns_needs_the_station(probe) -> None:
    dev = probe("")
    got, _, message = dev.error("netman.start(ap={'ssid': 'x', 'psk': 'ap-password'}, mdns={'hostname': 'x'})")
    assert got == "ValueError" and "'mdns' needs the 'sta' section" in message
