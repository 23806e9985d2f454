# `import espnow` on a board where netman replaces MicroPython's module.
from netman.espnow import *  # noqa: F401,F403
