"""start()'s three config forms, and config errors that name the key and
leave nothing half-applied."""

from __future__ import annotations

import pytest

from conftest import Probe

FORMS = {
    "keywords": "netman.start(sta={'ssid': 'home', 'psk': 'secret123', 'got_ip': CB['got_ip']})",
    "dict": "netman.start({'sta': {'ssid': b'home', 'psk': b'secret123', 'got_ip': CB['got_ip']}})",
    "proplist": "netman.start([('sta', [('ssid', 'home'), ('psk', 'secret123'), ('got_ip', CB['got_ip'])])])",
    "proplist-dict-mix": "netman.start([('sta', {'ssid': 'home', 'psk': 'secret123', 'got_ip': CB['got_ip']})])",
}


@pytest.mark.parametrize("form", FORMS)
def test_each_config_form_connects(probe, form: str) -> None:
    dev: Probe = probe(FORMS[form])
    dev.wait_event("got_ip")


def test_bare_name_in_property_list_means_true(probe) -> None:
    dev = probe("netman.start([('sta', ['managed', ('ssid', 'home'), ('psk', 'secret123'), ('got_ip', CB['got_ip'])])])")
    # managed: started, but not connecting until asked.
    assert dev.value("netman.sta_status()") == "'disconnected'"
    dev.run("netman.sta_connect()")
    dev.wait_event("got_ip")


# (start call, exception type, words the message must contain)
BAD_CONFIGS = [
    ("netman.start(sta={'sid': 'home'})", "ValueError", ["sta", "'sid'", "did you mean 'ssid'"]),
    ("netman.start(sta={'ssid': 'home', 'pks': 'secret123'})", "ValueError", ["'pks'", "did you mean 'psk'"]),
    ("netman.start(sat={'ssid': 'home'})", "ValueError", ["start", "'sat'", "did you mean 'sta'"]),
    ("netman.start(sta={'ssid': 5})", "TypeError", ["sta", "'ssid'", "str or bytes"]),
    ("netman.start(sta={'ssid': ''})", "ValueError", ["'ssid'", "1 to 32"]),
    ("netman.start(sta={'ssid': 'x' * 33})", "ValueError", ["'ssid'", "1 to 32"]),
    ("netman.start(sta={'ssid': 'home', 'psk': 'short'})", "ValueError", ["'psk'", "8 to 63"]),
    ("netman.start(sta={'ssid': 'home', 'psk': 'z' * 64})", "ValueError", ["'psk'", "hex"]),
    ("netman.start(sta={'ssid': 'home', 'psk': 'p' * 65})", "ValueError", ["'psk'"]),
    ("netman.start(sta={'ssid': 'home', 'dhcp_hostname': 'bad name'})", "ValueError", ["'dhcp_hostname'"]),
    ("netman.start(sta={'ssid': 'home', 'dhcp_hostname': '-lead'})", "ValueError", ["'dhcp_hostname'"]),
    ("netman.start(sta={'ssid': 'home', 'managed': 1})", "TypeError", ["'managed'", "True or False"]),
    ("netman.start(sta={'ssid': 'home', 'connected': 'not callable'})", "TypeError", ["'connected'", "callable"]),
    ("netman.start(sta={'psk': 'secret123'})", "ValueError", ["'ssid'", "required"]),
    ("netman.start(sta=['ssid'])", "TypeError", ["'ssid'"]),
    ("netman.start(sta=[('ssid', 'a', 'b')])", "TypeError", ["sta", "property list"]),
    ("netman.start(sta=42)", "TypeError", ["sta", "dict or a property list"]),
    ("netman.start([('sta', [('ssid', 'a')]), ('sta', [('ssid', 'b')])])", "ValueError", ["'sta'", "twice"]),
    ("netman.start({'sta': {'ssid': 'home'}}, sta={'ssid': 'home'})", "TypeError", ["not both"]),
    ("netman.start()", "ValueError", ["no section"]),
    ("netman.start(espnow={'rxbuf': 0})", "ValueError", ["espnow", "'rxbuf'", "1 to"]),
    ("netman.start(espnow={'rxbuf': 2 ** 30})", "ValueError", ["espnow", "'rxbuf'", "1 to"]),
    ("netman.start(espnow={'recv': 5})", "TypeError", ["espnow", "'recv'", "callable"]),
    ("netman.start(espnow={'rxbf': 600})", "ValueError", ["did you mean 'rxbuf'"]),
]


@pytest.mark.parametrize("call,kind,words", BAD_CONFIGS, ids=[c[0][13:60] for c in BAD_CONFIGS])
def test_bad_config_is_rejected_with_a_clear_error(probe, air, call: str, kind: str, words: list[str]) -> None:
    dev = probe("")
    dev.rejects(call, kind, words)
    # Nothing half-applied: no radio was touched.
    assert dev.value("netman.sta_status()") == "'inactive'"
    assert dev.error("netman.info()")[1] == "not_started"
    assert air.client.history("device_joined_air") == []
    # and a good config still works afterwards.
    dev.run("netman.start(sta=dict(ssid='home', psk='secret123', **CB))")
    dev.wait_event("got_ip")


def test_psk_never_appears_in_errors_or_repr(probe) -> None:
    dev = probe("")
    for bad in ("sh0rt", "q" * 64):
        _, _, message = dev.error(f"netman.start(sta={{'ssid': 'home', 'psk': '{bad}'}})")
        assert bad not in message
    dev.run("n = netman.start(sta=dict(ssid='home', psk='secret123', **CB))")
    dev.wait_event("got_ip")
    for expr in ("repr(n)", "repr(netman.info())", "repr(netman.stats())", "repr(netman.__dict__)"):
        assert "secret123" not in dev.value(expr)
    assert "secret123" not in dev.process.output.replace("psk='secret123'", "")
