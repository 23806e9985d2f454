"""The host build's top-level aioespnow: netman's."""

from netman.aioespnow import *
