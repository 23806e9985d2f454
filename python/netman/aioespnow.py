# asyncio support for netman.espnow, as MicroPython's aioespnow: AIOESPNow
# is an ESPNow with arecv(), airecv(), asend() and `async for`. Waiting polls
# the C ring every POLL_MS without blocking other tasks.

import asyncio

from .espnow import ESPNow

POLL_MS = 1


class AIOESPNow(ESPNow):
    async def _wait_frame(self):
        while not self.any():
            await asyncio.sleep_ms(POLL_MS)

    async def arecv(self):
        await self._wait_frame()
        return self.recv(0)

    async def airecv(self):
        await self._wait_frame()
        return self.irecv(0)

    async def asend(self, mac, msg=None, sync=None):
        # Sending does not block; waiting for the acknowledgements does.
        if msg is None:
            mac, msg, sync = None, mac, True
        if sync is None:
            sync = True
        before = self._netman_stats()
        count = self._send_frames(mac, msg)
        if not sync:
            return True
        while True:
            now = self._netman_stats()
            if now[5] - before[5] >= count:
                return now[1] - before[1] == count
            await asyncio.sleep_ms(POLL_MS)

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.airecv()
