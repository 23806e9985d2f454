'use strict';
// gSPI function 1: the SDIO core's own registers (F1 addresses 0x10000 and
// up) and, through a 32 KB window, the chip's backplane: the 512 KB of RAM the
// host downloads the firmware and NVRAM into, and the cores' wrapper
// registers it takes out of reset. Addresses and the bring-up order are the
// ones cyw43_ll.c's cyw43_ll_bus_init uses.

const RAM_SIZE = 512 * 1024;
const WINDOW_MASK = 0x7fff;
const SB_ACCESS_2_4B = 0x8000;

const F1 = {
    FUNCTION2_WATERMARK: 0x10008,
    BACKPLANE_ADDRESS_LOW: 0x1000a,
    BACKPLANE_ADDRESS_MID: 0x1000b,
    BACKPLANE_ADDRESS_HIGH: 0x1000c,
    FRAME_CONTROL: 0x1000d,
    CHIP_CLOCK_CSR: 0x1000e,
    PULL_UP: 0x1000f,
    WAKEUP_CTRL: 0x1001e,
    SLEEP_CSR: 0x1001f,
};

const CLOCK = { FORCE_ALP: 0x01, FORCE_HT: 0x02, ALP_AVAIL_REQ: 0x08, HT_AVAIL_REQ: 0x10, ALP_AVAIL: 0x40, HT_AVAIL: 0x80 };
const SLEEP = { KEEP_SDIO_ON: 0x01, DEVICE_ON: 0x02 };

const CHIPCOMMON = 0x18000000;
const ARM_WRAPPER = 0x18003000 + 0x100000;
const SOCSRAM_WRAPPER = 0x18004000 + 0x100000;
const AI_IOCTRL = 0x408;
const AI_RESETCTRL = 0x800;
const SICF = { CLOCK_EN: 0x1, FGC: 0x2, CPUHALT: 0x20 };
const CHIP_ID = 43439;

class Core {
    constructor(name) {
        this.name = name;
        this.ioctrl = 0;
        this.resetctrl = 1;        // in reset after power-on
    }

    get running() {
        return this.resetctrl === 0 && (this.ioctrl & (SICF.FGC | SICF.CLOCK_EN | SICF.CPUHALT)) === SICF.CLOCK_EN;
    }
}

class Backplane {
    /**
     * `onArmStart(ram)` runs when the host releases the WLAN ARM core from
     * reset with clocks on: the firmware model decides whether what it finds
     * in RAM boots.
     */
    constructor({ onArmStart, onFrameTerminate, log = () => {} }) {
        this.onArmStart = onArmStart;
        this.onFrameTerminate = onFrameTerminate;
        this.log = log;
        this.reset();
    }

    reset() {
        this.ram = Buffer.alloc(RAM_SIZE);
        this.window = 0;
        this.local = new Map([[F1.CHIP_CLOCK_CSR, 0], [F1.SLEEP_CSR, 0], [F1.FUNCTION2_WATERMARK, 0],
            [F1.PULL_UP, 0], [F1.WAKEUP_CTRL, 0]]);
        this.registers = new Map();
        this.arm = new Core('arm');
        this.socram = new Core('socram');
        this.armStarted = false;
        this.htAvailable = false;
        this.ramWritten = 0;
    }

    /** The firmware's clock comes up (the chip's HT clock follows it). */
    setHtAvailable(value) {
        this.htAvailable = value;
    }

    // ---- F1 access from the bus (addresses are 17 bits) ----

    read(address, length) {
        const out = Buffer.alloc(length);
        if (address >= 0x10000) {
            for (let i = 0; i < length; i++) {
                out[i] = this.readLocal(address + i);
            }
            return out;
        }
        const base = this.window + (address & WINDOW_MASK);
        if (length > 4) {
            this.readMemory(base, out);
            return out;
        }
        const value = this.readBackplane(base, length);
        for (let i = 0; i < length; i++) {
            out[i] = (value >>> (8 * i)) & 0xff;
        }
        return out;
    }

    write(address, data) {
        if (address >= 0x10000) {
            for (let i = 0; i < data.length; i++) {
                this.writeLocal(address + i, data[i]);
            }
            return;
        }
        const base = this.window + (address & WINDOW_MASK);
        if (data.length > 4) {
            this.writeMemory(base, data);
            return;
        }
        let value = 0;
        for (let i = 0; i < data.length; i++) {
            value |= data[i] << (8 * i);
        }
        this.writeBackplane(base, data.length, value >>> 0);
    }

    // ---- the SDIO core's registers ----

    readLocal(address) {
        switch (address) {
            case F1.BACKPLANE_ADDRESS_LOW:
                return (this.window >>> 8) & 0xff;
            case F1.BACKPLANE_ADDRESS_MID:
                return (this.window >>> 16) & 0xff;
            case F1.BACKPLANE_ADDRESS_HIGH:
                return (this.window >>> 24) & 0xff;
            case F1.CHIP_CLOCK_CSR: {
                // ALP is there as soon as asked for; HT once the firmware runs.
                const requested = this.local.get(F1.CHIP_CLOCK_CSR);
                let value = requested & 0x3f;
                if (requested & (CLOCK.ALP_AVAIL_REQ | CLOCK.FORCE_ALP) || this.htAvailable) {
                    value |= CLOCK.ALP_AVAIL;
                }
                if (this.htAvailable) {
                    value |= CLOCK.HT_AVAIL;
                }
                return value;
            }
            case F1.SLEEP_CSR: {
                const kso = this.local.get(F1.SLEEP_CSR) & SLEEP.KEEP_SDIO_ON;
                return kso ? SLEEP.KEEP_SDIO_ON | SLEEP.DEVICE_ON : 0;
            }
            default:
                return this.local.get(address) ?? 0;
        }
    }

    writeLocal(address, value) {
        switch (address) {
            case F1.BACKPLANE_ADDRESS_LOW:
                this.window = ((this.window & ~0x0000ff00) | ((value & 0x80) << 8)) >>> 0;
                break;
            case F1.BACKPLANE_ADDRESS_MID:
                this.window = ((this.window & ~0x00ff0000) | (value << 16)) >>> 0;
                break;
            case F1.BACKPLANE_ADDRESS_HIGH:
                this.window = ((this.window & ~0xff000000) | (value << 24)) >>> 0;
                break;
            case F1.FRAME_CONTROL:
                // Bit 0 terminates the frame being read: the chip drops it.
                if (value & 1) {
                    this.onFrameTerminate();
                }
                break;
            default:
                this.local.set(address, value);
        }
    }

    // ---- the backplane ----

    core(address) {
        if ((address & ~0xfff) === ARM_WRAPPER) {
            return this.arm;
        }
        if ((address & ~0xfff) === SOCSRAM_WRAPPER) {
            return this.socram;
        }
        return null;
    }

    readBackplane(address, length) {
        if (address + length <= RAM_SIZE) {
            return length === 4 ? this.ram.readUInt32LE(address) : length === 2 ? this.ram.readUInt16LE(address) : this.ram[address];
        }
        const core = this.core(address);
        if (core !== null) {
            const offset = address & 0xfff;
            return offset === AI_IOCTRL ? core.ioctrl : offset === AI_RESETCTRL ? core.resetctrl : 0;
        }
        if (address === CHIPCOMMON) {
            return (CHIP_ID | (0 << 16) | (1 << 28)) >>> 0;   // chip id, revision 0, one package
        }
        return this.registers.get(address) ?? 0;
    }

    writeBackplane(address, length, value) {
        if (address + length <= RAM_SIZE) {
            for (let i = 0; i < length; i++) {
                this.ram[address + i] = (value >>> (8 * i)) & 0xff;
            }
            return;
        }
        const core = this.core(address);
        if (core !== null) {
            const offset = address & 0xfff;
            if (offset === AI_IOCTRL) {
                core.ioctrl = value & 0xff;
            } else if (offset === AI_RESETCTRL) {
                core.resetctrl = value & 1;
            }
            if (core === this.arm && core.running && !this.armStarted) {
                this.armStarted = true;
                this.onArmStart(this.ram);
            }
            return;
        }
        this.registers.set(address, value);
    }

    readMemory(address, out) {
        if (address + out.length > RAM_SIZE) {
            this.log(`backplane: block read of ${out.length} bytes at 0x${address.toString(16)} is outside RAM`);
            return;
        }
        this.ram.copy(out, 0, address, address + out.length);
    }

    writeMemory(address, data) {
        if (address + data.length > RAM_SIZE) {
            this.log(`backplane: block write of ${data.length} bytes at 0x${address.toString(16)} is outside RAM`);
            return;
        }
        data.copy(this.ram, address);
        this.ramWritten += data.length;
    }
}

module.exports = { Backplane, RAM_SIZE, F1, CLOCK, SLEEP, SICF, ARM_WRAPPER, SOCSRAM_WRAPPER, AI_IOCTRL, AI_RESETCTRL,
    SB_ACCESS_2_4B, CHIPCOMMON };
