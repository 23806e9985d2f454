"""After `import netman`, netman.aio, .espnow, .aioespnow and .credentials
work without a further import, and each is loaded only when first used."""

from __future__ import annotations

from conftest import DeviceFactory

SUBMODULES = ("aio", "espnow", "aioespnow", "credentials")

LOADED = """
import sys
def loaded():
    return " ".join(sorted(m for m in ("asyncio", "netman.aio", "netman.espnow", "netman.aioespnow",
                                        "netman.credentials") if m in sys.modules))
"""


def test_a_program_that_never_touches_them_does_not_load_them(device: DeviceFactory) -> None:
    # A whole station life: start, address, scan, info, stop — no asyncio, no ESP-NOW, no stored credentials.
    dev = device(LOADED + """
import netman
print("after import:", loaded())
print("ip", netman.wait_for_sta(ssid="home", psk="secret123")[0])
netman.wifi_scan()
netman.info()
netman.stop()
print("after a run:", loaded())
""")
    assert dev.wait_exit() == 0, dev.output
    lines = dev.output.splitlines()
    assert lines[0] == "after import: "
    assert lines[1].startswith("ip 127.")
    assert lines[2] == "after a run: "


def test_each_loads_on_first_use_and_is_the_module_itself(device: DeviceFactory) -> None:
    dev = device(LOADED + """
import netman
for name in ("credentials", "espnow", "aioespnow", "aio"):
    module = getattr(netman, name)
    print(name, module is sys.modules["netman." + name], "|", loaded())
print("again", netman.aio is sys.modules["netman.aio"])
""", air=None)
    assert dev.wait_exit() == 0, dev.output
    assert dev.output.splitlines() == [
        "credentials True | netman.credentials",
        "espnow True | netman.credentials netman.espnow",
        # aioespnow brings asyncio with it; aio finds it loaded.
        "aioespnow True | asyncio netman.aioespnow netman.credentials netman.espnow",
        "aio True | asyncio netman.aio netman.aioespnow netman.credentials netman.espnow",
        "again True",
    ]


def test_the_readme_calls_work_after_import_netman_alone(device: DeviceFactory) -> None:
    dev = device("""
import asyncio
import netman
netman.start(sta={"ssid": "home", "psk": "secret123"})
async def main():
    print("ip", (await netman.aio.wait_for_sta(timeout_ms=5000))[0])
    found, networks = await netman.aio.wifi_scan()
    print("scan", found >= 1, networks[0]["ssid"])
asyncio.run(main())
print("espnow", type(netman.espnow.ESPNow()).__name__, type(netman.aioespnow.AIOESPNow()).__name__)
print("stored", netman.credentials.load())
""", env={"NETMAN_NVS": "/nonexistent/netman-test.nvs"})
    assert dev.wait_exit() == 0, dev.output
    lines = dev.output.splitlines()
    assert lines[0].startswith("ip 127.")
    assert lines[1:3] == ["scan True home", "espnow ESPNow AIOESPNow"]
    assert lines[3] in ("stored {'sta': None, 'ap': None}", "stored {'ap': None, 'sta': None}")


def test_an_unknown_attribute_is_an_attribute_error(device: DeviceFactory) -> None:
    dev = device("""
import netman
try:
    netman.aoi
except AttributeError as error:
    print("AttributeError:", error)
print(hasattr(netman, "sniffer_typo"), hasattr(netman, "aio"))
""", air=None)
    assert dev.wait_exit() == 0, dev.output
    assert dev.output.splitlines() == ["AttributeError: module 'netman' has no attribute 'aoi'", "False True"]
