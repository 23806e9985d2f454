# Runs on the host firmware. Prints every netman callback as a line
#   EV <name> <repr of args...> | <sta_status at that moment>
# and executes Python lines read from stdin, answering
#   OK <repr of the value>  or  ERR <type> <reason or None> <message>
# Callbacks keep running between commands.
import select
import sys

import netman


def _callback(name):
    def report(*args):
        print("EV", name, *[repr(a) for a in args], "|", netman.sta_status())

    return report


CB = {}
for _name in ("connected", "disconnected", "got_ip", "beacon_timeout"):
    CB[_name] = _callback(_name)
# The access-point callbacks, for ap=dict(..., **AP_CB).
AP_CB = {}
for _name in ("ap_started", "sta_connected", "sta_disconnected", "sta_ip_assigned"):
    AP_CB[_name] = _callback(_name)


async def ticker(counter):
    # Proves an await does not block: counts its turns every 5 ms.
    import asyncio

    while True:
        counter[0] += 1
        await asyncio.sleep_ms(5)


def serve():
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    scope = globals()
    while True:
        if not poller.poll(20):
            continue
        line = sys.stdin.readline()
        if not line:
            return
        try:
            try:
                code = compile(line, "<cmd>", "eval")
            except SyntaxError:
                code = compile(line, "<cmd>", "exec")
            print("OK", repr(eval(code, scope)))
        except Exception as e:
            print("ERR", type(e).__name__, getattr(e, "reason", None), e)
