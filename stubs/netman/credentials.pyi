"""Stored WiFi credentials: one station and one access-point (ssid, psk)
pair, in plain text where the target keeps such things (see location())."""

from typing import Iterator, TypedDict, Union

from . import Text

class Credential:
    """An (ssid, psk) pair; unpacks like a tuple, hides the PSK in its repr."""

    ssid: str
    psk: str
    def __init__(self, ssid: str, psk: str) -> None: ...
    def __iter__(self) -> Iterator[str]: ...

class Stored(TypedDict):
    sta: Credential | None
    ap: Credential | None

Pair = Union[tuple[Text, Text | None], list[Text], Credential]

def store(sta: Pair | None = None, ap: Pair | None = None) -> None: ...
def load() -> Stored: ...
def clear() -> None: ...
def location() -> str: ...
