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
        pending = self._begin_send(mac, msg, sync)
        if pending is None:
            return True
        while True:
            done = self._send_done(pending)
            if done is not None:
                return done
            await asyncio.sleep_ms(POLL_MS)

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.airecv()
