# netman — top-level build. `make demo` and `make test` are the two commands a
# user needs; everything they depend on is fetched and built here.

PYTHON ?= python3
BUILD := $(CURDIR)/build
CACHE := $(BUILD)/cache
# MicroPython source for the host build: Debian trixie's source package.
MPY_DEBIAN_VERSION := 1.25.0+ds-1
MPY_DIR := $(CACHE)/micropython-$(MPY_DEBIAN_VERSION)
MPY_STAMP := $(MPY_DIR)/.netman-fetched
MPY_CROSS := $(BUILD)/mpy-cross/mpy-cross
# The frozen-manifest step looks for micropython-lib; the +ds tarball has none.
MPY_LIB_DIR := $(CACHE)/micropython-lib
HOST_FW := $(BUILD)/host/micropython
VENV := $(BUILD)/venv
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# The unix port's arguments but its BUILD folder (one per configuration).
HOST_MAKE_ARGS := \
	VARIANT_DIR=$(CURDIR)/boards/host \
	USER_C_MODULES=$(CURDIR) \
	NETMAN_PORT=host \
	MICROPY_MPYCROSS=$(MPY_CROSS) \
	MPY_LIB_DIR=$(MPY_LIB_DIR)

.PHONY: all host host-asan host-tsan mpy-cross demo test test-asan test-tsan bench venv firmware test-device emu-deps test-emu test-qemu clean distclean debian-packages FORCE

all: host

# The Debian packages the goals need (the list: tools/debian-packages), installed
# once per make run, before anything else: test targets need more than the demo.
DEBIAN_PACKAGES_FOR := $(if $(filter test test-%,$(MAKECMDGOALS)),test,demo)
debian-packages:
	@tools/debian-packages $(DEBIAN_PACKAGES_FOR)

$(MPY_STAMP): tools/fetch_micropython.py $(wildcard tools/micropython-patches/*.patch) | debian-packages
	$(PYTHON) tools/fetch_micropython.py --cache $(CACHE)
	touch $@

$(MPY_LIB_DIR)/README.md:
	mkdir -p $(MPY_LIB_DIR)
	echo "Placeholder: micropython-lib is not part of the host build." > $@

mpy-cross: $(MPY_STAMP)
	$(MAKE) -C $(MPY_DIR)/mpy-cross -j$(JOBS) BUILD=$(BUILD)/mpy-cross

# The port's own make decides what is out of date: a second run compiles nothing.
host: debian-packages mpy-cross $(MPY_LIB_DIR)/README.md
	$(MAKE) -C $(MPY_DIR)/ports/unix -j$(JOBS) $(HOST_MAKE_ARGS) BUILD=$(BUILD)/host

# The same firmware with AddressSanitizer and UndefinedBehaviorSanitizer (and
# MicroPython's own asserts: DEBUG=1), in a build folder of its own.
ASAN_BUILD := $(BUILD)/host-asan
ASAN_FW := $(ASAN_BUILD)/micropython
ASAN_REPORTS := $(ASAN_BUILD)/reports
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer
host-asan: debian-packages mpy-cross $(MPY_LIB_DIR)/README.md
	$(MAKE) -C $(MPY_DIR)/ports/unix -j$(JOBS) $(HOST_MAKE_ARGS) BUILD=$(ASAN_BUILD) DEBUG=1 \
		CFLAGS_EXTRA="$(SANITIZE)" LDFLAGS_EXTRA="$(SANITIZE)"

$(VENV)/.installed: requirements-dev.txt | debian-packages
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# MicroPython's stubs, laid out as users install theirs (pip --target), for the
# type check of examples/ against stubs/ (tests/test_stubs.py).
TYPINGS := $(BUILD)/typings
$(TYPINGS)/.installed: requirements-typings.txt $(VENV)/.installed
	rm -rf $(TYPINGS)
	$(VENV)/bin/pip install -q --no-user --target $(TYPINGS) -r requirements-typings.txt
	touch $@

demo: host
	$(PYTHON) tools/netman-run --firmware $(HOST_FW) examples/demo.toml examples/demo.py

test: host venv $(TYPINGS)/.installed emu-deps
	NETMAN_FIRMWARE=$(HOST_FW) NETMAN_TYPINGS=$(TYPINGS) $(VENV)/bin/python -m pytest tests

# $(call watched,REPORTS,COMMAND): run the tests; any sanitizer report the
# devices wrote to REPORTS fails the run, whatever the tests said.
define watched
	rm -rf $(1) && mkdir -p $(1)
	$(2); status=$$?; \
	if [ -n "$$(ls -A $(1))" ]; then cat $(1)/*; echo "$@: the sanitizer reports above fail the run"; exit 1; fi; \
	exit $$status
endef

# The whole suite against the sanitized firmware. Every device process writes
# its reports (memory errors, undefined behaviour, leaks at exit) to
# ASAN_REPORTS. detect_stack_use_after_return=0: the GC must see the real C stack.
test-asan: host-asan venv $(TYPINGS)/.installed emu-deps
	$(call watched,$(ASAN_REPORTS),ASAN_OPTIONS=detect_stack_use_after_return=0:log_path=$(ASAN_REPORTS)/asan \
		UBSAN_OPTIONS=print_stacktrace=1:log_path=$(ASAN_REPORTS)/ubsan \
		NETMAN_FIRMWARE=$(ASAN_FW) NETMAN_TYPINGS=$(TYPINGS) $(VENV)/bin/python -m pytest tests)

# Board firmware (README: "Build your firmware"):
#   make firmware BOARD=RPI_PICO_W MICROPY_DIR=~/micropython [BOARD_VARIANT=...]
# ESP32 boards also need IDF_PATH (ESP-IDF 5.x, its export.sh sourced).
firmware:
	$(PYTHON) tools/firmware.py --board "$(BOARD)" --variant "$(BOARD_VARIANT)" --micropy-dir "$(MICROPY_DIR)" --jobs $(JOBS) $(if $(COMPARE),--compare)

# The smoke test on a real board, through mpremote (README: "Test on your board").
# The recipe is not echoed: it carries the PSK.
#   make test-device PORT=/dev/ttyACM0 SSID=... PSK=... [PORT2=/dev/ttyUSB1]
$(VENV)/.device-installed: $(VENV)/.installed requirements-device.txt
	$(VENV)/bin/pip install -q -r requirements-device.txt
	touch $@

test-device: $(VENV)/.device-installed
	@NETMAN_DEVICE_PORT="$(PORT)" NETMAN_DEVICE_PORT2="$(PORT2)" NETMAN_DEVICE_SSID="$(SSID)" \
		NETMAN_DEVICE_PSK="$(PSK)" $(VENV)/bin/python -m pytest tests/device

# The RP2040 emulator (tests/emu): rp2040js from the npm registry, pinned by the lockfile (Node.js
# and npm: tools/debian-packages).
EMU_DEPS := tests/emu/node_modules/.netman-installed

$(EMU_DEPS): tests/emu/package.json tests/emu/package-lock.json | debian-packages
	cd tests/emu && npm ci --no-audit --no-fund
	touch $@

emu-deps: $(EMU_DEPS)

# The boot test of a Pico W image in the emulator (README: "Boot test in an emulator"):
#   make test-emu FIRMWARE=build/firmware/RPI_PICO_W/firmware.uf2 BOOTROM=bootrom.bin [STOCK=stock.uf2]
# Then the WiFi scenarios on the emulated CYW43439 (README: WiFi scenarios in the emulator).
# Both run; either failing fails the target.
test-emu: emu-deps
	@test -n "$(FIRMWARE)" || { echo "make test-emu: give FIRMWARE=<a Pico W image, .uf2>"; exit 2; }
	@test -n "$(BOOTROM)" || { echo "make test-emu: give BOOTROM=<the RP2040 boot ROM, 16 KB> (README: Boot test in an emulator)"; exit 2; }
	@status=0; \
	node tests/emu/boot_check.js --firmware "$(FIRMWARE)" --bootrom "$(BOOTROM)" $(if $(STOCK),--stock "$(STOCK)") || status=1; \
	node tests/emu/wifi_check.js --firmware "$(FIRMWARE)" --bootrom "$(BOOTROM)" $(if $(STOCK),--stock "$(STOCK)") || status=1; \
	exit $$status

# An ESP32-C3 image in lcgamboa's QEMU (branch picsimlab-esp32) with its emulated
# WiFi (README: "Test in QEMU"):
#   make test-qemu FIRMWARE=build/firmware/ESP32_GENERIC_C3/firmware.bin QEMU=.../qemu-system-riscv32 [EFUSE=...]
test-qemu:
	@test -n "$(FIRMWARE)" || { echo "make test-qemu: give FIRMWARE=<an ESP32-C3 firmware.bin>"; exit 2; }
	@test -n "$(QEMU)" || { echo "make test-qemu: give QEMU=<qemu-system-riscv32 of the picsimlab-esp32 branch> (README: Test in QEMU)"; exit 2; }
	$(PYTHON) tests/qemu/qemu_check.py --firmware "$(FIRMWARE)" --qemu "$(QEMU)" $(if $(EFUSE),--efuse "$(EFUSE)")

BENCHMARKS := $(filter-out bench/benchlib.py,$(wildcard bench/*.py))

bench: host
	@for b in $(BENCHMARKS); do echo "== $$b"; $(PYTHON) $$b --firmware $(HOST_FW) || exit 1; done

# ThreadSanitizer (not in CI): the tests that work the I/O thread hardest,
# against the firmware built with -fsanitize=thread; any report fails the run
# (tools/tsan.supp: MicroPython's own scheduler flag).
TSAN_BUILD := $(BUILD)/host-tsan
TSAN_REPORTS := $(TSAN_BUILD)/reports
TSAN_TESTS := tests/test_hostile_air.py tests/test_hostile_lifecycle.py tests/test_fuzz.py tests/test_espnow.py \
	tests/test_sntp.py tests/test_mdns.py tests/test_sta_complete.py
host-tsan: debian-packages mpy-cross $(MPY_LIB_DIR)/README.md
	$(MAKE) -C $(MPY_DIR)/ports/unix -j$(JOBS) $(HOST_MAKE_ARGS) BUILD=$(TSAN_BUILD) DEBUG=1 \
		CFLAGS_EXTRA="-fsanitize=thread -fno-omit-frame-pointer" LDFLAGS_EXTRA="-fsanitize=thread"

# report_signal_unsafe=0: after a KeyboardInterrupt or SystemExit, TSan takes
# the interpreter's own frees at exit (ports/unix main.c, mpthreadport.c) for
# calls inside a signal handler; MicroPython unwinds with its own nlr, which
# TSan does not follow.
test-tsan: host-tsan venv emu-deps
	$(call watched,$(TSAN_REPORTS),TSAN_OPTIONS="log_path=$(TSAN_REPORTS)/tsan report_signal_unsafe=0 \
		suppressions=$(CURDIR)/tools/tsan.supp" \
		NETMAN_FIRMWARE=$(TSAN_BUILD)/micropython $(VENV)/bin/python -m pytest $(TSAN_TESTS))

clean:
	rm -rf $(BUILD)/host $(ASAN_BUILD) $(TSAN_BUILD) $(BUILD)/mpy-cross

distclean:
	rm -rf $(BUILD)
