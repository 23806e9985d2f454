"""The host build's top-level espnow: netman's (as on a board that freezes netman's espnow)."""

from netman.espnow import *
