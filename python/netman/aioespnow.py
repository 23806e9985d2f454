# asyncio support for netman.espnow, as MicroPython's aioespnow
# (micropython-lib): AIOESPNow is an ESPNow with arecv(), airecv(), asend()
# and `async for`. Waiting is asyncio's own: the object is polled for
# readability (a frame waits) and writability (no send awaits its verdict).

import asyncio

from .espnow import ESPNow


class AIOESPNow(ESPNow):
    async def arecv(self):
        yield asyncio.core._io_queue.queue_read(self)
        return self.recv(0)

    async def airecv(self):
        yield asyncio.core._io_queue.queue_read(self)
        return self.irecv(0)

    async def asend(self, mac, msg=None, sync=None):
        if msg is None:  # asend(msg): to every peer
            msg, mac = mac, None
        yield asyncio.core._io_queue.queue_write(self)
        return self.send(mac, msg, sync)

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.airecv()
