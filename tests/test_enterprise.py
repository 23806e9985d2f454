"""WPA2-Enterprise joins (sta={"eap": {...}}) against the air's 802.1X APs
and their accounts: PEAP, TTLS and TLS, the server checked against a CA,
refusals as auth_failed, the configuration's errors, and no password or key
ever out (output, the air's log and history, error messages)."""

from __future__ import annotations

import hashlib

import pytest

from conftest import Probe
from netsim import frames as f

CA = b"-----BEGIN CERTIFICATE-----\nMIIBfakeCAforTheTests\n-----END CERTIFICATE-----\n"
OTHER_CA = b"-----BEGIN CERTIFICATE-----\nMIIBsomeOtherCA\n-----END CERTIFICATE-----\n"
CLIENT = b"-----BEGIN CERTIFICATE-----\nMIIBsensor7\n-----END CERTIFICATE-----\n"
KEY = b"-----BEGIN PRIVATE KEY-----\nMIIEvQ-very-secret-key-material\n-----END PRIVATE KEY-----\n"
PASSWORD = "wonderland-42"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


AIR = f"""
[[ap]]
ssid = "corp"
authmode = "wpa2_enterprise"
channel = 1
ca_cert = "{sha(CA)}"
accounts = [{{username = "alice", password = "{PASSWORD}"}}, {{identity = "sensor-7", client_cert = "{sha(CLIENT)}"}}]
[[ap]]
ssid = "lab"
authmode = "wpa2_enterprise"
channel = 6
eap_methods = ["peap"]
accounts = [{{username = "bob", password = "builder-1234"}}]
[[ap]]
ssid = "home"
psk = "secret123"
channel = 11
"""

PEAP = f"dict(method='peap', identity='anonymous', username='alice', password={PASSWORD!r})"
TLS = f"dict(method='tls', identity='sensor-7', client_cert={CLIENT!r}, client_key={KEY!r})"


def station(probe) -> Probe:
    dev: Probe = probe("netman.start(sta=dict(managed=True))")
    return dev


def join(dev: Probe, ssid: str, eap: str, **more: str) -> str:
    extra = "".join(f", {k}={v}" for k, v in more.items())
    return dev.run(f"netman.wait_for_sta(ssid={ssid!r}, eap={eap}{extra}, timeout_ms=5000)")


@pytest.mark.scenario(AIR)
@pytest.mark.parametrize("eap", [PEAP, PEAP.replace("'peap'", "'ttls'"), TLS,
                                 f"dict(method='peap', username='alice', password={PASSWORD!r}, ca_cert={CA!r})"])
def test_the_right_credentials_join(probe, air, eap: str) -> None:
    dev = station(probe)
    assert join(dev, "corp", eap).startswith("OK ('127.77.0.")
    assert eval(dev.value("netman.info()['ap']"))["authmode"] == "wpa2_enterprise"
    assert not air.client.history("auth_refused")


@pytest.mark.scenario(AIR)
@pytest.mark.parametrize("eap, why", [
    (PEAP.replace(PASSWORD, "not-the-password"), "no such account"),
    (PEAP.replace("'alice'", "'mallory'"), "no such account"),
    (TLS.replace("'sensor-7'", "'sensor-8'"), "no such account"),
    (f"dict(method='tls', identity='sensor-7', client_cert={OTHER_CA!r}, client_key={KEY!r})", "no such account"),
    (f"dict(method='peap', username='alice', password={PASSWORD!r}, ca_cert={OTHER_CA!r})",
     "the server's certificate is not from the device's CA"),
])
def test_wrong_credentials_are_refused_as_auth_failed(probe, air, eap: str, why: str) -> None:
    dev = station(probe)
    kind, reason, message = dev.error(f"netman.wait_for_sta(ssid='corp', eap={eap}, timeout_ms=5000)")
    assert (kind, reason) == ("NetError", "auth_failed")
    assert air.client.history("auth_refused")[0]["why"].startswith(why)
    assert PASSWORD not in message and "not-the-password" not in message


@pytest.mark.scenario(AIR)
def test_a_method_the_ap_does_not_offer_and_mixed_up_networks(probe, air) -> None:
    dev = station(probe)
    ttls = "dict(method='ttls', username='bob', password='builder-1234')"
    assert dev.error(f"netman.wait_for_sta(ssid='lab', eap={ttls}, timeout_ms=5000)")[1] == "auth_failed"
    assert join(dev, "lab", ttls.replace("ttls", "peap")).startswith("OK (")
    # A PSK against 802.1X, and 802.1X against a PSK network.
    assert dev.error("netman.wait_for_sta(ssid='corp', psk='secret123', timeout_ms=5000)")[1] == "auth_failed"
    assert dev.error(f"netman.wait_for_sta(ssid='home', eap={PEAP}, timeout_ms=5000)")[1] == "auth_failed"
    assert [e["why"] for e in air.client.history("auth_refused")] == [
        "method ttls not offered", "no 802.1X credentials", "the AP does not run 802.1X"]
    # And back to the PSK network: the credentials went with their SSID.
    assert dev.run("netman.wait_for_sta(ssid='home', psk='secret123', timeout_ms=5000)").startswith("OK (")


@pytest.mark.scenario(AIR)
def test_the_drivers_reconnect_uses_the_credentials_again(probe, air) -> None:
    dev = probe(f"netman.start(sta=dict(ssid='corp', eap={PEAP}, connected=CB['connected'], got_ip=CB['got_ip']))")
    dev.wait_event("got_ip")
    mark = dev.mark()
    air.client.deauth("corp")
    dev.wait_event("got_ip", start=mark)
    assert len(air.client.history("sta_associated")) == 2 and not air.client.history("auth_refused")


@pytest.mark.scenario(AIR)
def test_a_sniffer_sees_the_outer_identity_and_never_the_password(probe, air) -> None:
    sniffer = probe("netman.start(sta=dict(managed=True))\nfrom netman.sniffer import Sniffer\nsn = Sniffer()\n"
                    "sn.start(channel=1, types=('data',))\n"
                    "def heard():\n"
                    "    got = []\n"
                    "    while True:\n"
                    "        frame = sn.irecv(100)\n"
                    "        if frame is None:\n"
                    "            return got\n"
                    "        got.append(bytes(frame.data))\n", name="sniffer")
    dev = station(probe)
    assert join(dev, "corp", PEAP).startswith("OK (")
    got = eval(sniffer.value("heard()"))
    eapol = [frame for frame in got if frame[24:32] == f.LLC_SNAP + f.ETHERTYPE_EAPOL]
    assert len(eapol) == 3
    assert eapol[1].endswith(b"anonymous")               # EAP-Response/Identity, in the clear
    assert eapol[2][36] == 3                             # EAP-Success
    assert all(PASSWORD.encode() not in frame for frame in got)


@pytest.mark.scenario(AIR)
def test_bad_eap_settings_name_the_key_and_start_nothing(probe, air) -> None:
    dev = probe("")

    def refuse(eap: str, kind: str, words: list[str]) -> None:
        message = dev.rejects(f"netman.start(sta=dict(ssid='corp', eap={eap}))", kind, words)
        for secret in (PASSWORD, "very-secret"):
            assert secret not in message

    refuse(f"dict(username='alice', password={PASSWORD!r})", "ValueError", ["'method' is required"])
    refuse(f"dict(method='leap', username='alice', password={PASSWORD!r})", "ValueError", ["'method'", "peap, tls, ttls"])
    refuse("dict(method='peap', username='alice')", "ValueError", ["method peap needs 'password'"])
    refuse(f"dict(method='peap', password={PASSWORD!r})", "ValueError", ["needs 'username'"])
    refuse(f"dict(method='tls', identity='x', client_cert={CLIENT!r})", "ValueError", ["needs 'client_key'"])
    refuse(f"dict(method='tls', client_cert={CLIENT!r}, client_key={KEY!r})", "ValueError", ["needs 'identity'"])
    refuse(f"dict(method='peap', username='alice', password={PASSWORD!r}, client_key={KEY!r})", "ValueError",
           ["'client_key' is for method tls"])
    refuse(f"dict(method='peap', username='a' * 128, password={PASSWORD!r})", "ValueError", ["'username'", "1 to 127"])
    refuse(f"dict(method='peap', usrname='alice', password={PASSWORD!r})", "ValueError", ["did you mean 'username'"])
    refuse(f"dict(method='peap', username='alice', password=12345678)", "TypeError", ["'password'", "str or bytes"])
    refuse(f"'peap'", "TypeError", ["'eap'"])
    message = dev.rejects(f"netman.start(sta=dict(ssid='corp', psk='secret123', eap={PEAP}))", "ValueError",
                          ["'psk'", "'eap'", "not both"])
    assert "secret123" not in message
    assert air.client.status()["devices"] == []


@pytest.mark.scenario(AIR)
def test_no_password_or_key_leaves_the_device(probe, air) -> None:
    dev = station(probe)
    assert join(dev, "corp", TLS).startswith("OK (")
    dev.run("netman.sta_disconnect()")
    assert join(dev, "corp", PEAP).startswith("OK (")
    for expr in ("netman.info()", "netman.stats()", "netman._sta", "repr(netman._network)", "netman.radio()"):
        shown = dev.value(expr)
        assert PASSWORD not in shown and "very-secret" not in shown and "BEGIN" not in shown, expr
    assert eval(dev.value("netman._sta['eap']")) == {"method": "peap", "identity": b"anonymous", "username": b"alice"}
    everything = dev.process.output + air.output + repr(air.client.history()) + repr(air.client.status())
    assert PASSWORD not in everything and "very-secret" not in everything
