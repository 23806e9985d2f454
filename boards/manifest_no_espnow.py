# The netman facade for boards whose radio has no ESP-NOW (the Pico W and
# Pico 2 W, included by their manifests): every module but espnow and
# aioespnow, which are the stubs in no_espnow/ (ESPNow() raises ENODEV).
# tests/test_manifests.py checks that the list names every other module.
package("netman", files=("__init__.py", "_config.py", "aio.py", "credentials.py", "portal.py", "pycom.py",
                         "sniffer.py"), base_path="../python")
module("netman/espnow.py", base_path="no_espnow")
module("netman/aioespnow.py", base_path="no_espnow")
