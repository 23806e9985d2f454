'use strict';
// The CYW43439's gSPI bus as the host sees it through the pico-sdk's
// cyw43_bus_pio_spi.c: each transaction is a 32-bit command word (write,
// increment, function, 17-bit address, 11-bit length; cyw43_spi.h make_cmd)
// followed by the data, or answered by the data. Bytes here are in wire
// order, which is also their order in the host's memory (the bus DMAs
// byte-swap each word both ways). Until the host sets WORD_LENGTH_32 the bus
// runs in its power-on 16-bit mode, in which each 32-bit quantity travels as
// two 16-bit halves, each high byte first (cyw43_bus_pio_spi.c,
// read_reg_u32_swap / write_reg_u32_swap: SWAP32 is rev16).

const FN = { BUS: 0, BACKPLANE: 1, WLAN: 2 };

// F0 register offsets (cyw43_spi.h).
const REG = {
    BUS_CONTROL: 0x00, RESPONSE_DELAY: 0x01, STATUS_ENABLE: 0x02, RESET_BP: 0x03,
    INTERRUPT: 0x04, INTERRUPT_ENABLE: 0x06, STATUS: 0x08,
    F1_INFO: 0x0c, F2_INFO: 0x0e, F3_INFO: 0x10, READ_TEST: 0x14, RW_TEST: 0x18,
    RESP_DELAY_F0: 0x1c, RESP_DELAY_F1: 0x1d, RESP_DELAY_F2: 0x1e, RESP_DELAY_F3: 0x1f,
};
const BUS_CONTROL = { WORD_LENGTH_32: 0x01, ENDIAN_BIG: 0x02, INTERRUPT_POLARITY_HIGH: 0x20, WAKE_UP: 0x80 };
const STATUS_ENABLE_BIT = 0x01;
const INT = {
    DATA_UNAVAILABLE: 0x0001, F2_F3_FIFO_RD_UNDERFLOW: 0x0002, F2_F3_FIFO_WR_OVERFLOW: 0x0004,
    COMMAND_ERROR: 0x0008, DATA_ERROR: 0x0010, F2_PACKET_AVAILABLE: 0x0020, F1_OVERFLOW: 0x0080,
};
const STATUS = { DATA_NOT_AVAILABLE: 0x1, F2_RX_READY: 0x20, F2_PKT_AVAILABLE: 0x100, F2_PKT_LEN_SHIFT: 9 };
const TEST_PATTERN = 0xfeedbead;
// Bus control, response delay, status enable, reset; the interrupt enable;
// the read/write test register; the per-function response delays.
const WRITABLE_F0 = new Set([0x00, 0x01, 0x02, 0x03, 0x06, 0x07, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]);

/** The command word's fields. */
function decodeCommand(word) {
    return {
        write: (word >>> 31) === 1,
        increment: ((word >>> 30) & 1) === 1,
        fn: (word >>> 28) & 3,
        address: (word >>> 11) & 0x1ffff,
        length: (word & 0x7ff) || 2048,
    };
}

function encodeCommand({ write, increment = true, fn, address, length }) {
    return ((write ? 1 << 31 : 0) | (increment ? 1 << 30 : 0) | (fn << 28) | ((address & 0x1ffff) << 11)
        | (length & 0x7ff)) >>> 0;
}

/** A 32-bit quantity from wire bytes, in the bus's current word mode. */
function wordFromWire(bytes, offset, mode32) {
    if (mode32) {
        return bytes.readUInt32LE(offset);
    }
    return (bytes.readUInt16BE(offset) | (bytes.readUInt16BE(offset + 2) << 16)) >>> 0;
}

function wordToWire(value, mode32) {
    const out = Buffer.alloc(4);
    if (mode32) {
        out.writeUInt32LE(value >>> 0, 0);
    } else {
        out.writeUInt16BE(value & 0xffff, 0);
        out.writeUInt16BE(value >>> 16, 2);
    }
    return out;
}

class Gspi {
    /**
     * `backplane` answers F1 (read(address, length) / write(address, data));
     * `wlan` is the F2 side: f2Ready(), pending() (the length of the frame
     * the host may read next, or 0), readFrame(length), writeFrame(bytes).
     */
    constructor({ backplane, wlan, log = () => {} }) {
        this.backplane = backplane;
        this.wlan = wlan;
        this.log = log;
        this.reset();
    }

    reset() {
        this.f0 = Buffer.alloc(0x20);
        this.f0[REG.RESP_DELAY_F1] = 0;
        this.interrupt = INT.DATA_UNAVAILABLE;   // cyw43_ll_bus_init: "we always seem to start with" it
        this.transactions = 0;
    }

    get mode32() {
        return (this.f0[REG.BUS_CONTROL] & BUS_CONTROL.WORD_LENGTH_32) !== 0;
    }

    get interruptPolarityHigh() {
        return (this.f0[REG.BUS_CONTROL] & BUS_CONTROL.INTERRUPT_POLARITY_HIGH) !== 0;
    }

    get interruptEnable() {
        return this.f0.readUInt16LE(REG.INTERRUPT_ENABLE);
    }

    /** The interrupt status as the host reads it: sticky bits and the F2 packet level. */
    get interruptStatus() {
        return this.interrupt | (this.wlan.pending() ? INT.F2_PACKET_AVAILABLE : 0);
    }

    /** True while the chip asserts its interrupt (host wake) line. */
    get interruptAsserted() {
        return (this.interruptStatus & this.interruptEnable) !== 0;
    }

    get status() {
        const pending = this.wlan.pending();
        let status = this.wlan.f2Ready() ? STATUS.F2_RX_READY : 0;
        if (pending) {
            status |= STATUS.F2_PKT_AVAILABLE | (pending << STATUS.F2_PKT_LEN_SHIFT);
        }
        return status >>> 0;
    }

    /** A write-only transaction: command word and data. */
    write(bytes) {
        this.transactions++;
        if (bytes.length < 4) {
            this.log(`gspi: write of ${bytes.length} bytes has no command`);
            return;
        }
        const cmd = decodeCommand(wordFromWire(bytes, 0, this.mode32));
        if (!cmd.write) {
            this.log('gspi: a read command in a write-only transaction');
            this.interrupt |= INT.COMMAND_ERROR;
            return;
        }
        const data = bytes.subarray(4, 4 + cmd.length);
        if (data.length < cmd.length) {
            this.log(`gspi: write of ${cmd.length} bytes carried ${data.length}`);
            this.interrupt |= INT.DATA_ERROR;
            return;
        }
        switch (cmd.fn) {
            case FN.BUS:
                this.writeF0(cmd.address, this.mode32 ? data : Buffer.from(wordToWire(wordFromWire(data, 0, false), true)
                    .subarray(0, cmd.length)));
                break;
            case FN.BACKPLANE:
                this.backplane.write(cmd.address, Buffer.from(data));
                break;
            case FN.WLAN:
                if (!this.wlan.f2Ready()) {
                    this.log('gspi: F2 write before F2 is ready');
                    this.interrupt |= INT.F2_F3_FIFO_WR_OVERFLOW;
                    return;
                }
                this.wlan.writeFrame(Buffer.from(data));
                break;
            default:
                this.interrupt |= INT.COMMAND_ERROR;
        }
    }

    /** A read transaction: `bytes` starts with the command; answer `length` bytes. */
    read(bytes, length) {
        this.transactions++;
        const out = Buffer.alloc(length);
        if (bytes.length < 4) {
            return out;
        }
        const cmd = decodeCommand(wordFromWire(bytes, 0, this.mode32));
        if (cmd.write) {
            this.interrupt |= INT.COMMAND_ERROR;
            return out;
        }
        // F1 answers after its response delay: that many bytes of padding.
        const pad = cmd.fn === FN.BACKPLANE ? this.f0[REG.RESP_DELAY_F1] : 0;
        let data;
        switch (cmd.fn) {
            case FN.BUS:
                data = this.readF0(cmd.address, cmd.length);
                break;
            case FN.BACKPLANE:
                data = this.backplane.read(cmd.address, cmd.length);
                break;
            case FN.WLAN:
                data = this.wlan.readFrame(cmd.length);
                break;
            default:
                this.interrupt |= INT.COMMAND_ERROR;
                return out;
        }
        data.copy(out, pad);
        if (this.f0[REG.STATUS_ENABLE] & STATUS_ENABLE_BIT) {
            const at = pad + ((cmd.length + 3) & ~3);
            if (at + 4 <= length) {
                out.writeUInt32LE(this.status, at);
            }
        }
        return out;
    }

    readF0(address, length) {
        const registers = Buffer.from(this.f0);
        registers.writeUInt16LE(this.interruptStatus, REG.INTERRUPT);
        registers.writeUInt32LE(this.status, REG.STATUS);
        // F1 and F2 are enabled and ready once the firmware is up (bits 0, 1;
        // the maximum packet size above them).
        registers.writeUInt16LE(0x0003 | (64 << 2), REG.F1_INFO);
        registers.writeUInt16LE((this.wlan.f2Ready() ? 0x0003 : 0x0001) | (2048 << 2), REG.F2_INFO);
        registers.writeUInt32LE(TEST_PATTERN, REG.READ_TEST);
        const out = Buffer.alloc(length);
        registers.copy(out, 0, Math.min(address, registers.length), Math.min(address + length, registers.length));
        if (this.mode32) {
            return out;
        }
        // 16-bit mode: the value goes out as two big-endian halves.
        return length >= 4 ? wordToWire(out.readUInt32LE(0), false) : out;
    }

    writeF0(address, data) {
        for (let i = 0; i < data.length; i++) {
            const at = address + i;
            if (at === REG.INTERRUPT || at === REG.INTERRUPT + 1) {
                // Write 1 to clear.
                this.interrupt &= ~(data[i] << (8 * (at - REG.INTERRUPT)));
            } else if (WRITABLE_F0.has(at)) {
                this.f0[at] = data[i];
            }
        }
    }
}

module.exports = { Gspi, FN, REG, BUS_CONTROL, INT, STATUS, TEST_PATTERN, decodeCommand, encodeCommand,
    wordFromWire, wordToWire };
