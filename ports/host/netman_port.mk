# The host build's settings (included by cmod/micropython.mk).
LDFLAGS_USERMOD += -lpthread
# The host has memory to spare: keep more scan results than a board would.
CFLAGS_USERMOD += -DNETMAN_MAX_SCAN_RESULTS=64
