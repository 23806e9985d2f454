# `ussl`: the name MicroPython gave `ssl` before v1.21, which older libraries
# (umqtt.simple among them) still import.
from ssl import *  # noqa: F401,F403
