"""micropython-lib's umqtt (micropython-umqtt.simple / .robust on PyPI), which
the MQTT test installs with tools/upip.py: the calls examples/ use."""
