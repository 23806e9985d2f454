# netman.aioespnow on a board whose radio has no ESP-NOW: AIOESPNow() raises
# ENODEV as ESPNow() does (boards/no_espnow/netman/espnow.py).
from .espnow import ESPNow as AIOESPNow  # noqa: F401
