"""asyncio versions of netman's blocking calls (other tasks keep running)."""

from typing import Callable, Union

from . import (ApConfig, IpInfo, NetError, NetworkConfig, PropertyList, ProvisionConfig, Reconnect, ScanOptions,
               ScanResult, StaConfig, StaticIp, Status, Text)

POLL_MS: int

async def wait_for_sta(config: Union[StaConfig, NetworkConfig, PropertyList, None] = None, timeout_ms: int = 15000,
                       *, ssid: Text = ..., psk: Text = ..., dhcp_hostname: Text = ..., ip: StaticIp = ...,
                       reconnect: Reconnect = ..., networks: list[tuple[Text, Text | None]] = ...) -> IpInfo: ...
async def wait_for_ap(config: Union[ApConfig, PropertyList, None] = None, timeout_ms: int = 15000, *,
                      ssid: Text = ..., psk: Text = ..., ap_channel: int = ..., ssid_hidden: bool = ...,
                      max_connections: int = ...) -> None: ...
async def sta_status_change(timeout_ms: int | None = None) -> Status:
    """The new status once it differs from now; NetError("timeout") otherwise."""

async def wifi_scan(options: Union[ScanOptions, PropertyList, None] = None, *, passive: bool = ...,
                    dwell: int = ..., results: int = ..., show_hidden: bool = ..., ssid: Text = ...,
                    bssid: Union[bytes, str] = ..., channel: int = ...) -> ScanResult:
    """Always (found, networks), also with a scan_done callback configured."""

async def provision(config: Union[ProvisionConfig, PropertyList, None] = None, *, ssid: Text = ..., psk: Text = ...,
                    timeout_s: int = ..., fallback_after_s: int = ..., grace_s: int = ..., title: Text = ...,
                    port: int = ..., dns_port: int = ..., provisioned: Callable[[str], object] = ...) -> IpInfo:
    """Like netman.provision(); the portal serves while other tasks run."""
