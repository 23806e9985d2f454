// An emulated Raspberry Pi Pico (W): rp2040js's RP2040 with a boot ROM, a UF2 image in its flash,
// the USB-CDC serial port, the boot ROM's flash erase/program applied to the emulated flash, a
// power cycle that keeps the flash, and attached devices (tests/emu/README.md "Devices").

import { ConsoleLogger, LogLevel, Simulator, USBCDC } from 'rp2040js';
import { romFunction } from './bootrom.js';
import { FLASH_BASE, parseUF2 } from './uf2.js';

const CYCLE_NANOS = 1e9 / 125e6; // rp2040js runs the core at 125 MHz
const FLASH_SECTOR = 4096;
const FLASH_PAGE = 256;
// How much simulated time runs between looks at the serial port and the wall clock.
const SLICE_NANOS = 1e6;
// How often the loop lets Node.js run timers and sockets (rp2040js's PIO, a device's server).
const YIELD_WALL_MS = 20;
// No single wait may take longer than this in wall time.
const WALL_LIMIT_MS = 120e3;

export class EmulatorTimeout extends Error {}

export class Pico {
    // bootrom: the 16 KB RP2040 boot ROM; image: UF2 bytes; devices: objects with attach(board)
    // (README "Devices"); log: function(line) for the runner's own notes, or null; verbose: show
    // rp2040js's debug messages.
    constructor({ bootrom, image, devices = [], log = null, verbose = false }) {
        this.verbose = verbose;
        this.emulatorErrors = 0;
        const count = () => {
            this.emulatorErrors += 1;
        };
        this.countingLogger = { debug() {}, info() {}, warn() {}, error: count };
        this.bootrom = bootrom;
        this.romErase = romFunction(bootrom, 'RE');
        this.romProgram = romFunction(bootrom, 'RP');
        this.blocks = parseUF2(image);
        this.devices = devices;
        this.log = log || (() => {});
        this.flash = null; // kept across power cycles
        this.flashStats = { erases: 0, erasedBytes: 0, programs: 0, programmedBytes: 0 };
        this.powerOn();
    }

    // Starts the chip from reset with the flash as it is (the image on the first power-on).
    powerOn() {
        const simulator = new Simulator();
        const mcu = simulator.rp2040;
        // rp2040js reports every unimplemented register the SDK touches (the QSPI pads at boot, the
        // inter-core FIFO at a soft reset): shown with --verbose, otherwise only counted.
        mcu.logger = this.verbose ? new ConsoleLogger(LogLevel.Debug) : this.countingLogger;
        mcu.loadBootrom(new Uint32Array(this.bootrom.buffer, this.bootrom.byteOffset, this.bootrom.byteLength / 4));
        if (this.flash === null) {
            for (const { address, payload } of this.blocks) {
                mcu.flash.set(payload, address - FLASH_BASE);
            }
        } else {
            mcu.flash.set(this.flash);
        }
        this.flash = mcu.flash;
        mcu.core.blTaken = (core) => this.romCall(core);
        this.simulator = simulator;
        this.mcu = mcu;
        this.clock = simulator.clock;
        this.output = '';
        this.pending = [];
        this.usbConnected = false;
        this.cdc = new USBCDC(mcu.usbCtrl);
        this.cdc.onDeviceConnected = () => {
            this.usbConnected = true;
        };
        this.cdc.onSerialData = (data) => {
            this.output += Buffer.from(data).toString('latin1');
        };
        this.attached = this.devices.map((device) => device.attach(this.board()));
        // The boot ROM would check the flash and enter boot stage 2 at its start; rp2040js's SSI
        // cannot read the flash the way the ROM does, so start stage 2 directly (as rp2040js's demo does).
        mcu.core.PC = FLASH_BASE;
    }

    // What a device gets at each power-on.
    board() {
        return { mcu: this.mcu, clock: this.clock, pico: this, log: this.log };
    }

    // Power off and on: RAM, peripherals and devices start over, the flash stays.
    powerCycle() {
        for (const handle of this.attached) {
            handle?.detach?.();
        }
        this.mcu.pio.forEach((pio) => pio.stop());
        this.powerOn();
    }

    // rp2040js has no SPI-flash erase/program: when the core branches into the boot ROM's
    // flash_range_erase / flash_range_program, do what they do to the flash and return.
    romCall(core) {
        const pc = core.PC;
        if (pc !== this.romErase && pc !== this.romProgram) {
            return;
        }
        const [a0, a1, a2] = core.registers;
        if (pc === this.romErase) {
            // flash_range_erase(addr, count, block_size, block_cmd): whole sectors
            const start = a0 - (a0 % FLASH_SECTOR);
            const end = Math.min(this.flash.length, Math.ceil((a0 + a1) / FLASH_SECTOR) * FLASH_SECTOR);
            this.flash.fill(0xff, start, end);
            this.flashStats.erases += 1;
            this.flashStats.erasedBytes += end - start;
        } else {
            // flash_range_program(addr, data, count): NOR flash only clears bits
            for (let i = 0; i < a2 && a0 + i < this.flash.length; i++) {
                this.flash[a0 + i] &= this.mcu.readUint8(a1 + i);
            }
            this.flashStats.programs += 1;
            this.flashStats.programmedBytes += a2;
            if (a0 % FLASH_PAGE !== 0 || a2 % FLASH_PAGE !== 0) {
                this.log(`flash_range_program at 0x${a0.toString(16)} of ${a2} bytes is not page-aligned`);
            }
        }
        core.PC = core.LR & ~1;
    }

    get nanos() {
        return this.clock.nanos;
    }

    // Bytes for the USB-CDC serial port, sent as the device reads them.
    write(data) {
        for (const byte of Buffer.from(data, 'latin1')) {
            this.pending.push(byte);
        }
    }

    // Runs simulated time in slices; between slices feeds the serial port and checks `done`.
    // Resolves with done()'s truthy value, or throws EmulatorTimeout after `simMs` of simulated time.
    // The wall clock bounds it too (wallMs), so that an emulator stuck in one place cannot hang a run.
    async runUntil(done, simMs, what = 'the condition', wallMs = WALL_LIMIT_MS) {
        const end = this.clock.nanos + simMs * 1e6;
        const wallEnd = Date.now() + wallMs;
        let lastYield = Date.now();
        for (;;) {
            const result = done();
            if (result) {
                return result;
            }
            if (this.clock.nanos >= end) {
                throw new EmulatorTimeout(`${what}: not within ${simMs} ms of simulated time`);
            }
            if (Date.now() >= wallEnd) {
                throw new EmulatorTimeout(`${what}: not within ${wallMs / 1000} s of wall time ` +
                    `(${((this.clock.nanos - end) / 1e6 + simMs).toFixed(1)} ms simulated, PC 0x${this.mcu.core.PC.toString(16)})`);
            }
            this.feedSerial();
            this.runSlice(Math.min(SLICE_NANOS, end - this.clock.nanos));
            if (Date.now() - lastYield >= YIELD_WALL_MS) {
                await new Promise((resolve) => setImmediate(resolve));
                lastYield = Date.now();
            }
        }
    }

    runFor(simMs) {
        const end = this.clock.nanos + simMs * 1e6;
        return this.runUntil(() => this.clock.nanos >= end, simMs + 1);
    }

    feedSerial() {
        const fifo = this.cdc.txFIFO;
        while (this.pending.length > 0 && !fifo.full) {
            fifo.push(this.pending.shift());
        }
    }

    // rp2040js's Simulator.execute, bounded by simulated time; an idle core (WFI/WFE) skips to
    // the next alarm.
    runSlice(nanos) {
        const { core } = this.mcu;
        const clock = this.clock;
        const end = clock.nanos + nanos;
        while (clock.nanos < end) {
            if (core.waiting) {
                const next = clock.nextAlarm ? clock.nextAlarm.nanos - clock.nanos : Infinity;
                clock.tick(Math.max(0, Math.min(next, end - clock.nanos)));
            } else {
                clock.tick(core.executeInstruction() * CYCLE_NANOS);
            }
        }
    }
}
