# The convenience path for applications that need no connection management:
# wait until the station has an address, or learn why it could not.
import netman

try:
    address, netmask, gateway = netman.wait_for_sta(
        {"ssid": "myssid", "psk": "mypsk-long-enough", "dhcp_hostname": "mydevice"}, 15000
    )
    print("Acquired IP address:", address)
except netman.NetError as error:
    print("Network initialization failed:", error.reason)

# A wrong password is reported as such, not as a timeout.
netman.stop()
try:
    netman.wait_for_sta(ssid="myssid", psk="not-the-password", timeout_ms=5000)
except netman.NetError as error:
    print("Network initialization failed:", error.reason)
