# netman host variant of the unix port (VARIANT_DIR=boards/host).
FROZEN_MANIFEST ?= $(VARIANT_DIR)/manifest.py

# The Debian source package ships lib/ submodules empty: no btree (berkeley-db),
# no bundled libffi; TLS comes from the system mbedTLS (Debian's own patch).
MICROPY_PY_BTREE = 0
MICROPY_PY_FFI = 0
MICROPY_SSL_AXTLS = 0
MICROPY_SSL_MBEDTLS = 1
