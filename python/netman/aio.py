# asyncio versions of netman's blocking calls. They poll the C state every
# POLL_MS without blocking other tasks; callbacks keep running meanwhile.

import asyncio

import netman

POLL_MS = 10


async def _until_done(wait):
    try:
        while True:
            done, value = wait.poll()
            if done:
                return value
            await asyncio.sleep_ms(POLL_MS)
    except BaseException:  # failed, or cancelled (an outer asyncio.wait_for)
        wait.abandon()
        raise


async def wait_for_sta(config=None, timeout_ms=15000, **sta):
    """Like netman.wait_for_sta(), awaitable."""
    return await _until_done(netman._StaWait(config, sta, timeout_ms))


async def wait_for_ap(config=None, timeout_ms=15000, **ap):
    """Like netman.wait_for_ap(), awaitable."""
    return await _until_done(netman._ApWait(config, ap, timeout_ms))


async def sta_status_change(timeout_ms=None):
    """Wait until sta_status() differs from what it is now; returns the new
    status. With timeout_ms, raises NetError("timeout") when nothing changed."""
    import time

    if timeout_ms is not None:
        deadline = time.ticks_add(time.ticks_ms(), netman._timeout(timeout_ms))
    before = netman.sta_status()
    while True:
        now = netman.sta_status()
        if now != before:
            return now
        if timeout_ms is not None and time.ticks_diff(deadline, time.ticks_ms()) <= 0:
            raise netman.NetError("timeout", "sta_status stayed %r" % before)
        await asyncio.sleep_ms(POLL_MS)


async def wifi_scan(options=None, **opts):
    """Like netman.wifi_scan() but awaited: always returns (found, networks),
    also when a scan_done callback is configured (it is not called)."""
    netman._scan_begin(options, opts, "wait")
    try:
        while True:
            result = netman._scan_finished()
            if result is not None:
                return result
            await asyncio.sleep_ms(POLL_MS)
    except BaseException:  # cancelled: the result is no one's (netman._scan_wait)
        netman._scan["mode"] = None
        raise


async def provision(config=None, **settings):
    """Like netman.provision(), awaitable: the portal serves while other tasks run."""
    from netman.portal import steps

    run = steps(config, settings, "aio.provision", 0)
    try:
        for result in run:
            if result is not None:
                return result
            await asyncio.sleep_ms(POLL_MS)
    finally:
        run.close()  # cancelled: the portal closes, a network this call started stops
