# netman for MicroPython's make-based ports (the unix host build):
#   make USER_C_MODULES=<netman checkout> NETMAN_PORT=host
# The checkout root is USER_C_MODULES, so object files mirror the tree
# (cmod/netman/..., ports/host/...) under the port's BUILD directory. The
# port's own netman_port.mk adds that target's settings.
NETMAN_ROOT := $(patsubst %/,%,$(dir $(USERMOD_DIR)))
NETMAN_PORT ?= host

SRC_USERMOD_C += $(wildcard $(NETMAN_ROOT)/cmod/netman/*.c)
SRC_USERMOD_C += $(wildcard $(NETMAN_ROOT)/ports/$(NETMAN_PORT)/*.c)
CFLAGS_USERMOD += -I$(NETMAN_ROOT)/cmod/netman -I$(NETMAN_ROOT)/ports/$(NETMAN_PORT)
include $(NETMAN_ROOT)/ports/$(NETMAN_PORT)/netman_port.mk
