# Captive-portal provisioning: a device without WiFi credentials opens a setup
# access point (mpy-setup-<last 4 hex digits of its MAC>); a phone that joins
# it is shown a page with the networks around, picks one and types its
# password; the device joins it, stores the credentials and closes the setup
# AP. Next time it starts, it joins by itself.
#
#   tools/netman-run --mac provision=02:00:00:00:12:34 examples/provision.toml \
#       examples/provision.py examples/provision_phone.py
#
# On a board, leave out "port" and "dns_port" (80 and 53): on the desktop
# those ports need root.
import netman

netman.credentials.clear()  # a factory-fresh device, for this demo


def provisioned(ssid):
    print("provisioned:", ssid)


ip_info = netman.provision(port=8080, dns_port=8053, grace_s=2, timeout_s=120,
                           title="Demo sensor setup", provisioned=provisioned)
print("online at", ip_info[0])
print("stored:", netman.credentials.load()["sta"])  # the PSK stays hidden
netman.stop()
