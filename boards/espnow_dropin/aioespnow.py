# `import aioespnow` on a board where netman replaces MicroPython's module.
from netman.aioespnow import *  # noqa: F401,F403
