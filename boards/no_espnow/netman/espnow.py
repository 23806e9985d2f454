# netman.espnow on a board whose radio has no ESP-NOW (the Pico W's and
# Pico 2 W's CYW43439): the full module (python/netman/espnow.py) is not
# frozen there; ESPNow() raises what it raises on such a radio.


class ESPNow:
    def __init__(self):
        raise OSError(19, "ESP-NOW: this board's radio has no ESP-NOW (ENODEV)")
