"""The decisions of the board ports and of the core that are plain C (no
vendor or MicroPython header), compiled for this machine and run through
ctypes over the values the drivers really produce."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

SOURCES = ["cmod/netman/netman_country.c", "cmod/netman/netman_frame.c", "ports/esp32/esp32_radio_rules.c",
           "ports/rp2/rp2_radio_rules.c"]

# netman_hal.h
ERR_OK, ERR_IO, ERR_UNSUPPORTED = 0, 3, 5
RADIO_TXPOWER, RADIO_COUNTRY, RADIO_POWER_SAVE, RADIO_PROTOCOL, RADIO_BANDWIDTH = 1, 2, 4, 8, 16
PS_NONE, PS_MIN, PS_MAX = 0, 1, 2
B, G, N, LR = 1, 2, 4, 8


class FrameFilter(ctypes.Structure):
    """netman_frame_filter_t"""
    _fields_ = [("types", ctypes.c_uint8), ("mgmt_subtypes", ctypes.c_uint16), ("ctrl_subtypes", ctypes.c_uint16)]


class Radio(ctypes.Structure):
    """netman_radio_t"""
    _fields_ = [("fields", ctypes.c_uint8), ("txpower_qdbm", ctypes.c_int16), ("country", ctypes.c_char * 3),
                ("channels", ctypes.c_uint8), ("power_save", ctypes.c_uint8), ("protocol", ctypes.c_uint8),
                ("bandwidth_mhz", ctypes.c_uint8)]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    library = tmp_path_factory.mktemp("rules") / "rules.so"
    includes = [f"-I{REPO / d}" for d in ("cmod/netman", "ports/esp32", "ports/rp2")]
    subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(library), *includes,
                    *[str(REPO / s) for s in SOURCES]], check=True)
    return ctypes.CDLL(str(library))


def test_country_channels_follow_esp_idfs_regulatory_table(rules) -> None:
    channels = rules.netman_country_channels
    for code, expected in {b"US": 11, b"CA": 11, b"PR": 11, b"01": 11, b"XX": 11, b"JP": 14, b"DE": 13,
                           b"GB": 13, b"CN": 13, b"AU": 13, b"BR": 13, b"TW": 13, b"PK": 13}.items():
        assert channels(code) == expected, code
    for unknown in (b"QQ", b"us", b"U", b"USA", b""):
        assert channels(unknown) == 0, unknown


def test_rp2_refuses_what_the_cyw43439_cannot_do_and_names_the_key_and_port(rules) -> None:
    why = ctypes.c_char_p()

    def check(**values: object) -> tuple[int, str]:
        radio = Radio(**values)
        err = rules.rp2_rules_check(ctypes.byref(radio), ctypes.byref(why))
        return err, (why.value or b"").decode()

    assert check(fields=RADIO_PROTOCOL, protocol=B | G | N)[0] == ERR_OK
    assert check(fields=RADIO_BANDWIDTH, bandwidth_mhz=20)[0] == ERR_OK
    assert check(fields=RADIO_TXPOWER | RADIO_POWER_SAVE, txpower_qdbm=127, power_save=PS_MAX)[0] == ERR_OK
    assert check(fields=RADIO_COUNTRY, country=b"GB", channels=13)[0] == ERR_OK
    err, message = check(fields=RADIO_PROTOCOL, protocol=B | G)
    assert err == ERR_UNSUPPORTED and "'protocol'" in message and "rp2" in message
    err, message = check(fields=RADIO_PROTOCOL, protocol=B | G | N | LR)
    assert err == ERR_UNSUPPORTED
    err, message = check(fields=RADIO_BANDWIDTH, bandwidth_mhz=40)
    assert err == ERR_UNSUPPORTED and "'bandwidth'" in message and "rp2" in message
    # Andorra is in ESP-IDF's table but not in the CYW43's firmware list.
    err, message = check(fields=RADIO_COUNTRY, country=b"AD", channels=13)
    assert err == ERR_UNSUPPORTED and "'country'" in message and "rp2" in message
    # A setting that is not asked for is not judged.
    assert check(fields=RADIO_TXPOWER, protocol=B, bandwidth_mhz=40)[0] == ERR_OK


def cyw43_pm_value(mode: int, sleep_ret_ms: int, beacon: int, dtim: int, assoc: int) -> int:
    """cyw43.h's cyw43_pm_value()."""
    return assoc << 20 | dtim << 16 | beacon << 12 | (sleep_ret_ms // 10) << 4 | mode


def test_rp2_reads_the_drivers_power_management_values(rules) -> None:
    decode = rules.rp2_rules_power_save_from_driver
    assert decode(cyw43_pm_value(0, 10, 0, 0, 0)) == PS_NONE        # CYW43_NONE_PM
    assert decode(cyw43_pm_value(1, 10, 0, 0, 0)) == PS_MAX         # CYW43_AGGRESSIVE_PM (MicroPython's PM_POWERSAVE)
    assert decode(cyw43_pm_value(2, 200, 1, 1, 10)) == PS_MIN       # CYW43_PERFORMANCE_PM, the default
    assert decode(cyw43_pm_value(2, 2000, 0, 3, 0)) == PS_MIN


def test_rp2_reads_qtxpower_without_the_override_flag(rules) -> None:
    rules.rp2_rules_qdbm_from_driver.restype = ctypes.c_int16
    assert rules.rp2_rules_qdbm_from_driver(80) == 80
    assert rules.rp2_rules_qdbm_from_driver(0x80000000 | 60) == 60
    assert rules.rp2_rules_qdbm_from_driver(0xFF) == 127


def test_esp32_protocol_power_save_bandwidth_and_country_mappings(rules) -> None:
    assert rules.esp32_rules_protocol_to_driver(B | G | N | LR) == 0x0F
    assert rules.esp32_rules_protocol_to_driver(LR) == 0x08
    assert rules.esp32_rules_protocol_from_driver(0x07) == B | G | N
    assert rules.esp32_rules_protocol_from_driver(0x47) == B | G | N   # the C6's default, 11ax included
    assert [rules.esp32_rules_ps_to_driver(p) for p in (PS_NONE, PS_MIN, PS_MAX)] == [0, 1, 2]
    assert [rules.esp32_rules_ps_from_driver(p) for p in (0, 1, 2)] == [PS_NONE, PS_MIN, PS_MAX]
    assert rules.esp32_rules_bw_to_driver(20) == 1 and rules.esp32_rules_bw_to_driver(40) == 2
    assert [rules.esp32_rules_bw_from_driver(b) for b in (1, 2, 3)] == [20, 40, 0]
    cc = ctypes.create_string_buffer(3)
    rules.esp32_rules_country_code(b"XX", cc)
    assert cc.raw == b"01 "
    rules.esp32_rules_country_code(b"JP", cc)
    assert cc.raw == b"JP "


def test_esp32_refusals_of_values_are_unsupported_other_failures_io(rules) -> None:
    assert rules.esp32_rules_refusal(0x102) == ERR_UNSUPPORTED    # ESP_ERR_INVALID_ARG
    assert rules.esp32_rules_refusal(0x106) == ERR_UNSUPPORTED    # ESP_ERR_NOT_SUPPORTED
    assert rules.esp32_rules_refusal(0x3001) == ERR_IO            # ESP_ERR_WIFI_NOT_INIT
    assert rules.esp32_rules_refusal(0x3002) == ERR_IO            # ESP_ERR_WIFI_NOT_STARTED


def frame(kind: int, subtype: int, length: int = 24, version: int = 0) -> bytes:
    return bytes([subtype << 4 | kind << 2 | version]) + bytes(length - 1)


def test_the_core_filters_frames_by_type_and_subtype(rules) -> None:
    def accepts(filt: FrameFilter, data: bytes) -> bool:
        return bool(rules.netman_frame_accepts(ctypes.byref(filt), data, len(data)))

    everything = FrameFilter(7, 0xFFFF, 0xFFFF)
    assert accepts(everything, frame(0, 8)) and accepts(everything, frame(1, 13, 10)) and accepts(everything, frame(2, 4))
    assert not accepts(everything, frame(3, 0))          # extension frames: not 802.11 as sniffers read it
    assert not accepts(everything, frame(0, 8, version=1))
    assert not accepts(everything, frame(1, 13, 9))      # shorter than an ACK
    assert not accepts(everything, frame(2, 0, 2347))    # longer than an MPDU
    probes = FrameFilter(1, 1 << 4, 0xFFFF)
    assert accepts(probes, frame(0, 4)) and not accepts(probes, frame(0, 8)) and not accepts(probes, frame(2, 0))
    acks = FrameFilter(2, 0xFFFF, 1 << 13)
    assert accepts(acks, frame(1, 13, 10)) and not accepts(acks, frame(1, 11, 16)) and not accepts(acks, frame(0, 4))


def test_esp32_promiscuous_filters_and_frame_lengths(rules) -> None:
    rules.esp32_rules_promiscuous_filter.restype = ctypes.c_uint32
    rules.esp32_rules_ctrl_filter.restype = ctypes.c_uint32
    rules.esp32_rules_frame_length.restype = ctypes.c_size_t
    # WIFI_PROMIS_FILTER_MASK_MGMT / _CTRL / _DATA
    assert rules.esp32_rules_promiscuous_filter(1) == 1 and rules.esp32_rules_promiscuous_filter(7) == 7
    # WIFI_PROMIS_CTRL_FILTER_MASK_ALL for every control subtype; ACK alone is bit 29.
    assert rules.esp32_rules_ctrl_filter(0xFFFF) == 0xFF800000
    assert rules.esp32_rules_ctrl_filter(1 << 13) == 1 << 29
    assert rules.esp32_rules_ctrl_filter(1 << 2) == 0       # the driver has no bit for the trigger subtype
    # sig_len counts the FCS.
    assert rules.esp32_rules_frame_length(118) == 114 and rules.esp32_rules_frame_length(3) == 0


def test_esp32_hands_pem_with_its_nul_and_der_as_it_is(rules) -> None:
    pem = b"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
    der = b"\x30\x82\x01\x0a" + bytes(20)
    assert rules.esp32_rules_cert_len(pem, len(pem)) == len(pem) + 1
    assert rules.esp32_rules_cert_len(der, len(der)) == len(der)
    assert rules.esp32_rules_cert_len(b"-----BEG", 8) == 8
