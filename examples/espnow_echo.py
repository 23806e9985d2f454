# MicroPython's small asyncio ESP-NOW server, on netman: a heartbeat to a
# peer, and an echo of every message back to its sender.
#
#   tools/netman-run --mac espnow_echo=aa:aa:aa:aa:aa:aa --mac espnow_pinger=bb:bb:bb:bb:bb:bb \
#       examples/espnow.toml examples/espnow_echo.py examples/espnow_pinger.py
import asyncio

import netman
from netman import aioespnow

netman.start(sta={"managed": True})

e = aioespnow.AIOESPNow()  # Returns AIOESPNow enhanced with async support
e.active(True)
peer = b"\xbb\xbb\xbb\xbb\xbb\xbb"
e.add_peer(peer)


# Send a periodic ping to a peer
async def heartbeat(e, peer, period=30):
    while True:
        if not await e.asend(peer, b"ping"):
            print("Heartbeat: peer not responding:", peer)
        else:
            print("Heartbeat: ping", peer)
        await asyncio.sleep(period)


# Echo any received messages back to the sender
async def echo_server(e):
    async for mac, msg in e:
        print("Echo:", msg)
        try:
            await e.asend(mac, msg)
        except OSError as err:
            if len(err.args) > 1 and err.args[1] == "ESP_ERR_ESPNOW_NOT_FOUND":
                e.add_peer(mac)
                await e.asend(mac, msg)


async def main(e, peer, timeout, period):
    asyncio.create_task(heartbeat(e, peer, period))
    asyncio.create_task(echo_server(e))
    await asyncio.sleep(timeout)


asyncio.run(main(e, peer, 3, 1))
