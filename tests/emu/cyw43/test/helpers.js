'use strict';
// What the unit tests share: a clock with rp2040js's interface, a fake air
// that records requests, and the host side of the bus written after
// cyw43-driver's cyw43_ll.c and the pico-sdk's cyw43_bus_pio_spi.c (the same
// byte layouts, the same bring-up order), so the model is exercised the way
// the firmware exercises it.

const { Cyw43 } = require('../chip');
const { encodeCommand } = require('../gspi');

class FakeClock {
    constructor() {
        this.nanos = 0;
        this.alarms = [];
    }

    createAlarm(callback) {
        const alarm = {
            at: 0, scheduled: false,
            schedule: (delta) => {
                alarm.at = this.nanos + delta;
                alarm.scheduled = true;
                if (!this.alarms.includes(alarm)) {
                    this.alarms.push(alarm);
                }
            },
            cancel: () => {
                alarm.scheduled = false;
                this.alarms = this.alarms.filter((a) => a !== alarm);
            },
            callback,
        };
        return alarm;
    }

    advance(ms) {
        const target = this.nanos + ms * 1e6;
        for (;;) {
            this.alarms.sort((a, b) => a.at - b.at);
            const next = this.alarms[0];
            if (!next || next.at > target) {
                break;
            }
            this.alarms.shift();
            next.scheduled = false;
            this.nanos = next.at;
            next.callback();
        }
        this.nanos = target;
    }
}

class FakeAir {
    constructor() {
        this.sent = [];
        this.chip = null;
    }

    send(type, fields) {
        this.sent.push({ type, fields });
    }

    last(type) {
        return [...this.sent].reverse().find((m) => m.type === type);
    }

    tell(type, fields = {}) {
        this.chip.fromAir(type, fields);
        this.chip.timers.clock.advance(0);
    }
}

const MAC = Buffer.from([0x02, 0x4e, 0x4d, 0x00, 0x00, 0x07]);

function makeChip(switches = {}, options = {}) {
    const clock = new FakeClock();
    const air = new FakeAir();
    const logs = [];
    const chip = new Cyw43({ clock, air, mac: MAC, switches, log: (line) => logs.push(line), ...options });
    air.chip = chip;
    return { chip, clock, air, logs };
}

// A firmware image and NVRAM the model accepts: the trailer the driver's
// cyw43_check_valid_chipset_firmware looks for, and the NVRAM length word.
function fakeFirmware(length = 4096) {
    const image = Buffer.alloc(length, 0x5a);
    Buffer.from('Version: 7.95.49 (2271bb6 CY) CRC: b7a28ef3 Date: Mon 2021-11-29 22:50:27 PST Ucode Ver: 1043.2162 FWID 01-c51d9400\0')
        .copy(image, length - 400);
    return image;
}

const NVRAM = Buffer.from('NVRAMRev=$Rev$\0manfid=0x2d0\0prodid=0x0727\0boardflags=0x00404001\0\0\0\0');

/** The host: cyw43_ll.c's bring-up and SDPCM, on top of the bus functions of cyw43_bus_pio_spi.c. */
class HostDriver {
    constructor(chip, clock) {
        this.chip = chip;
        this.clock = clock;
        this.window = 0;
        this.txSeq = 0;
        this.lastCredit = 1;   // cyw43_ll_init: "we get an immediate stall if this isn't done"
        this.ioctlId = 0;
        this.events = [];
        this.data = [];
        this.padF1 = 16;       // CYW43_BACKPLANE_READ_PAD_LEN_BYTES
        this.stalls = 0;
    }

    // ---- cyw43_bus_pio_spi.c ----

    readRegSwap(fn, reg) {
        const cmd = encodeCommand({ write: false, fn, address: reg, length: 4 });
        const tx = Buffer.alloc(4);
        tx.writeUInt16BE(cmd & 0xffff, 0);          // SWAP32 = rev16, then the LE word in memory
        tx.writeUInt16BE(cmd >>> 16, 2);
        const rx = this.chip.spiRead(tx, 4);
        return (rx.readUInt16BE(0) | (rx.readUInt16BE(2) << 16)) >>> 0;
    }

    writeRegSwap(fn, reg, value) {
        const cmd = encodeCommand({ write: true, fn, address: reg, length: 4 });
        const tx = Buffer.alloc(8);
        tx.writeUInt16BE(cmd & 0xffff, 0);
        tx.writeUInt16BE(cmd >>> 16, 2);
        tx.writeUInt16BE(value & 0xffff, 4);
        tx.writeUInt16BE(value >>> 16, 6);
        this.chip.spiWrite(tx);
    }

    readReg(fn, reg, size) {
        const pad = fn === 1 ? this.padF1 : 0;
        const tx = Buffer.alloc(4);
        tx.writeUInt32LE(encodeCommand({ write: false, fn, address: reg, length: size }), 0);
        const rx = this.chip.spiRead(tx, 4 + pad);
        const value = rx.readUInt32LE(pad);
        return size === 4 ? value : value & ((1 << (8 * size)) - 1);
    }

    writeReg(fn, reg, size, value) {
        const tx = Buffer.alloc(8);
        tx.writeUInt32LE(encodeCommand({ write: true, fn, address: reg, length: size }), 0);
        tx.writeUInt32LE(value >>> 0, 4);
        this.chip.spiWrite(tx);
    }

    readBytes(fn, addr, length) {
        const pad = fn === 1 ? this.padF1 : 0;
        const aligned = (length + 3) & ~3;
        const tx = Buffer.alloc(4);
        tx.writeUInt32LE(encodeCommand({ write: false, fn, address: addr, length }), 0);
        return this.chip.spiRead(tx, aligned + pad).subarray(pad, pad + length);
    }

    writeBytes(fn, addr, data) {
        if (fn === 2) {
            let ready = false;
            for (let i = 0; i < 1000 && !ready; i++) {
                ready = (this.readReg(0, 0x08, 4) & 0x20) !== 0;
            }
            if (!ready) {
                throw new Error('F2 not ready');
            }
        }
        const aligned = (data.length + 3) & ~3;
        const tx = Buffer.alloc(4 + aligned);
        tx.writeUInt32LE(encodeCommand({ write: true, fn, address: addr, length: data.length }), 0);
        data.copy(tx, 4);
        this.chip.spiWrite(tx);
    }

    // ---- cyw43_ll.c: backplane ----

    setWindow(addr) {
        addr = (addr & ~0x7fff) >>> 0;
        if (addr === this.window) {
            return;
        }
        if ((addr & 0xff000000) !== (this.window & 0xff000000)) {
            this.writeReg(1, 0x1000c, 1, addr >>> 24);
        }
        if ((addr & 0x00ff0000) !== (this.window & 0x00ff0000)) {
            this.writeReg(1, 0x1000b, 1, (addr >>> 16) & 0xff);
        }
        if ((addr & 0x0000ff00) !== (this.window & 0x0000ff00)) {
            this.writeReg(1, 0x1000a, 1, (addr >>> 8) & 0xff);
        }
        this.window = addr;
    }

    readBackplane(addr, size) {
        this.setWindow(addr);
        const value = this.readReg(1, (addr & 0x7fff) | 0x8000, size);
        this.setWindow(0x18000000);
        return value;
    }

    writeBackplane(addr, size, value) {
        this.setWindow(addr);
        this.writeReg(1, (addr & 0x7fff) | 0x8000, size, value);
        this.setWindow(0x18000000);
    }

    download(addr, data) {
        for (let offset = 0; offset < data.length; offset += 64) {
            const block = data.subarray(offset, offset + 64);
            const dest = addr + offset;
            this.setWindow(dest);
            this.writeBytes(1, (dest & 0x7fff) | 0x8000, block);
        }
    }

    resetCore(base) {
        this.readBackplane(base + 0x800, 1);
        const inReset = this.readBackplane(base + 0x800, 1) & 1;
        this.writeBackplane(base + 0x408, 1, 0x3);
        this.readBackplane(base + 0x408, 1);
        this.writeBackplane(base + 0x800, 1, 0);
        this.writeBackplane(base + 0x408, 1, 0x1);
        this.readBackplane(base + 0x408, 1);
        return inReset;
    }

    /** cyw43_ll_bus_init up to F2 ready, then the CLM; returns a list of what went wrong. */
    busInit({ firmware = fakeFirmware(), nvram = NVRAM, clm = Buffer.alloc(2500, 0x33) } = {}) {
        const problems = [];
        if (this.readRegSwap(0, 0x14) !== 0xfeedbead) {
            problems.push('no test pattern');
            return problems;
        }
        this.writeRegSwap(0, 0x0, 0x01 | 0x02 | 0x10 | 0x80 | (0x4 << 8) | (0x02 << 16) | 0x20);
        this.readReg(0, 0x0, 4);
        this.writeReg(0, 0x1d, 1, 16);
        this.writeReg(0, 0x04, 1, 0x99);
        this.writeReg(0, 0x06, 2, 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x80 | 0x2000);
        this.writeReg(1, 0x1000e, 1, 0x08);
        this.writeReg(1, 0x10008, 1, 0x10);
        if (this.readReg(1, 0x10008, 1) !== 0x10) {
            problems.push('watermark');
        }
        if (!(this.readReg(1, 0x1000e, 1) & 0x40)) {
            problems.push('no ALP');
        }
        this.writeReg(1, 0x1000e, 1, 0);
        // disable_device_core for both, reset_device_core for SOCSRAM
        if (!(this.readBackplane(0x18103000 + 0x800, 1) & 1)) {
            problems.push('ARM not in reset');
        }
        if (!this.resetCore(0x18104000)) {
            problems.push('SOCSRAM not in reset');
        }
        this.writeBackplane(0x18004010, 4, 3);
        this.writeBackplane(0x18004044, 4, 0);
        const padded = Buffer.alloc((firmware.length + 3) & ~3);
        firmware.copy(padded);
        this.download(0, padded);
        const nv = Buffer.alloc((nvram.length + 3) & ~3);
        nvram.copy(nv);
        this.download(512 * 1024 - 4 - nv.length, nv);
        const words = nv.length / 4;
        this.writeBackplane(512 * 1024 - 4, 4, (((~words & 0xffff) << 16) | words) >>> 0);
        this.resetCore(0x18103000);
        let ht = false;
        for (let i = 0; i < 1000 && !ht; i++) {
            ht = (this.readReg(1, 0x1000e, 1) & 0x80) !== 0;
            if (!ht) {
                this.clock.advance(1);
            }
        }
        if (!ht) {
            problems.push('HT not ready');
            return problems;
        }
        this.writeBackplane(0x18002024, 4, 0xf0);
        this.writeReg(1, 0x10008, 1, 32);
        let f2 = false;
        for (let i = 0; i < 1000 && !f2; i++) {
            f2 = (this.readReg(0, 0x08, 4) & 0x20) !== 0;
            if (!f2) {
                this.clock.advance(1);
            }
        }
        if (!f2) {
            problems.push('F2 not ready');
            return problems;
        }
        // KSO, pulls, the initial DATA_UNAVAILABLE
        this.writeReg(1, 0x1001e, 1, this.readReg(1, 0x1001e, 1) | 2);
        this.writeReg(1, 0x1000e, 1, 0x02);
        this.writeReg(1, 0x1001f, 1, this.readReg(1, 0x1001f, 1) | 1);
        this.writeReg(1, 0x1000f, 1, 0xf);
        this.writeReg(1, 0x1000f, 1, 0);
        const spiInt = this.readReg(0, 0x04, 2);
        if (spiInt & 1) {
            this.writeReg(0, 0x04, 2, spiInt);
        }
        if (this.readReg(1, 0x1001f, 1) !== 0x3) {
            problems.push('KSO');
        }
        // cyw43_clm_load
        for (let off = 0; off < clm.length; off += 1024) {
            let flag = 1 << 12;
            let len = 1024;
            if (off === 0) {
                flag |= 2;
            }
            if (off + len >= clm.length) {
                flag |= 4;
                len = clm.length - off;
            }
            const head = Buffer.alloc(20);
            Buffer.from('clmload\0').copy(head);
            head.writeUInt16LE(flag, 8);
            head.writeUInt16LE(2, 10);
            head.writeUInt32LE(len, 12);
            const body = Buffer.concat([head, clm.subarray(off, off + len)]);
            this.ioctl(263, true, Buffer.concat([body, Buffer.alloc(((body.length + 7) & ~7) - body.length)]));
        }
        const status = this.ioctl(262, false, Buffer.from('clmload_status\0\0\0\0\0'));
        if (status.readUInt32LE(0) !== 0) {
            problems.push('CLM load failed');
        }
        return problems;
    }

    // ---- cyw43_ll.c: SDPCM ----

    send(kind, payloadAfterHeader, headerLength) {
        if (this.lastCredit === this.txSeq) {
            this.stalls++;
            for (let i = 0; i < 100 && this.lastCredit === this.txSeq; i++) {
                this.poll();
                this.clock.advance(0.1);
            }
            if (this.lastCredit === this.txSeq) {
                throw new Error('STALL: timeout');
            }
        }
        const size = 12 + payloadAfterHeader.length;
        const frame = Buffer.alloc(size);
        frame.writeUInt16LE(size, 0);
        frame.writeUInt16LE(~size & 0xffff, 2);
        frame[4] = this.txSeq;
        frame[5] = kind;
        frame[7] = headerLength;
        payloadAfterHeader.copy(frame, 12);
        this.txSeq = (this.txSeq + 1) & 0xff;
        this.writeBytes(2, 0, frame);
    }

    /** cyw43_ll_sdpcm_poll_device + sdpcm_process_rx_packet, one packet; returns what it found. */
    poll() {
        const spiInt = this.readReg(0, 0x04, 2);
        if (spiInt) {
            this.writeReg(0, 0x04, 2, spiInt);
        }
        if (!(spiInt & 0x20)) {
            return null;
        }
        const status = this.readReg(0, 0x08, 4);
        if (!(status & 0x100)) {
            return null;
        }
        const pending = (status >>> 9) & 0x7ff;
        const spid = Buffer.alloc(2048);
        this.readBytes(2, 0, pending).copy(spid);
        return this.process(spid);
    }

    process(spid) {
        const size = spid.readUInt16LE(0);
        if ((size ^ spid.readUInt16LE(2)) !== 0xffff) {
            return { kind: 'bad' };
        }
        const channel = spid[5] & 0xf;
        const headerLength = spid[7];
        if (channel < 3) {
            const credit = (spid[9] - this.lastCredit) & 0xff;
            if (credit <= 20) {
                this.lastCredit = spid[9];
            }
        }
        if (size === 12) {
            return { kind: 'credit' };
        }
        if (channel === 0) {
            const id = spid.readUInt32LE(headerLength + 8) >>> 16;
            return { kind: 'control', id, status: spid.readInt32LE(headerLength + 12),
                data: Buffer.from(spid.subarray(headerLength + 16, size)) };
        }
        const payloadAt = headerLength + 4 + spid[headerLength + 3] * 4;
        const payload = spid.subarray(payloadAt, size);
        if (channel === 2) {
            const packet = { kind: 'data', iface: spid[headerLength + 2], frame: Buffer.from(payload) };
            this.data.push(packet);
            return packet;
        }
        if (payload[12] !== 0x88 || payload[13] !== 0x6c || payload[19] !== 0 || payload[20] !== 0x10 || payload[21] !== 0x18) {
            return { kind: 'bad event' };
        }
        const event = parseAsyncEvent(spid, payloadAt + 24, size - payloadAt - 24);
        this.events.push(event);
        return { kind: 'event', event };
    }

    /** cyw43_do_ioctl: send, then poll until the reply with our id comes. */
    ioctl(cmd, set, data, iface = 0) {
        this.ioctlId = (this.ioctlId + 1) & 0xffff;
        const header = Buffer.alloc(16);
        header.writeUInt32LE(cmd, 0);
        header.writeUInt32LE(data.length & 0xffff, 4);
        header.writeUInt32LE(((this.ioctlId << 16) | (set ? 2 : 0) | (iface << 12)) >>> 0, 8);
        this.send(0, Buffer.concat([header, data]), 12);
        for (let i = 0; i < 2000; i++) {
            const got = this.poll();
            if (got && got.kind === 'control' && got.id === this.ioctlId) {
                const out = Buffer.alloc(data.length);
                got.data.copy(out, 0, 0, Math.min(out.length, got.data.length));
                out.status = got.status;
                return out;
            }
            if (got === null) {
                this.clock.advance(0.05);
            }
        }
        throw new Error(`ioctl ${cmd}: timeout`);
    }

    setVar(name, value, iface = 0) {
        return this.ioctl(263, true, Buffer.concat([Buffer.from(`${name}\0`), value]), iface);
    }

    getVar(name, length, params = Buffer.alloc(0), iface = 0) {
        const request = Buffer.alloc(Math.max(name.length + 1 + params.length, length));
        request.write(name);
        params.copy(request, name.length + 1);
        return this.ioctl(262, false, request, iface);
    }

    sendEthernet(iface, frame) {
        const body = Buffer.alloc(2 + 4 + frame.length);
        body[2] = 0x20;
        body[4] = iface;
        frame.copy(body, 6);
        this.send(2, body, 14);
    }

    /** Poll until nothing is pending, advancing the clock by `ms` first. */
    drain(ms = 0) {
        this.clock.advance(ms);
        for (let i = 0; i < 10000; i++) {
            if (this.poll() === null) {
                return;
            }
        }
    }
}

/**
 * cyw43_ll_parse_async_event: the event must sit at an address 2 mod 4 in
 * the receive buffer (the driver copies it 2 bytes down, to a 4-aligned
 * address, with word stores); then cyw43_async_event_t's fields and, for a
 * partial ESCAN_RESULT, cyw43_ll_wifi_parse_scan_result's auth mode.
 */
function parseAsyncEvent(spid, at, length) {
    if (at % 4 !== 2) {
        throw new Error(`event at offset ${at} of the receive buffer: the driver's relocation would leave it misaligned`);
    }
    const ev = Buffer.from(spid.subarray(at - 2, at - 2 + 2 + length));
    spid.copy(ev, 0, at, at + length);   // the relocation
    const event = {
        flags: ev.readUInt16BE(2), type: ev.readUInt32BE(4), status: ev.readUInt32BE(8), reason: ev.readUInt32BE(12),
        iface: ev[46], addr: Buffer.from(ev.subarray(24 + 0, 30)),
    };
    if (event.type === 69 && event.status === 8) {
        const bss = 48 + 12;
        const ieOffset = ev.readUInt16LE(bss + 116);
        const ieLength = ev.readUInt32LE(bss + 120);
        if (ieOffset + ieLength > ev.readUInt32LE(bss + 4)) {
            event.status = 0xffffffff;
            return event;
        }
        let security = 0;
        for (let p = bss + ieOffset; p < bss + ieOffset + ieLength;) {
            const type = ev[p];
            const len = ev[p + 1];
            if (type === 48) {
                security |= 4;
            } else if (type === 221 && ev.subarray(p + 2, p + 6).equals(Buffer.from([0x00, 0x50, 0xf2, 0x01]))) {
                security |= 2;
            }
            p += 2 + len;
        }
        if (ev.readUInt16LE(bss + 16) & 0x10) {
            security |= 1;
        }
        // cyw43_ev_scan_result_t at ev + 48
        const r = 48;
        event.scan = {
            bssid: Buffer.from(ev.subarray(r + 20, r + 26)), ssid: Buffer.from(ev.subarray(r + 31, r + 31 + ev[r + 30])),
            channel: ev.readUInt16LE(r + 84) & 0xff, authMode: security, rssi: ev.readInt16LE(r + 90),
        };
    }
    return event;
}

/** A chip brought up the way the driver does, with cyw43_ll_wifi_on's settings. */
function upChip(switches = {}, options = {}) {
    const made = makeChip(switches, options);
    made.chip.powerOn();
    const host = new HostDriver(made.chip, made.clock);
    const problems = host.busInit();
    if (problems.length) {
        throw new Error(`bring-up failed: ${problems.join(', ')}`);
    }
    const country = Buffer.alloc(12);
    country.write('XX', 0);
    country.writeInt32LE(-1, 4);
    country.write('XX', 8);
    host.setVar('country', country);
    const mask = Buffer.alloc(4 + 19, 0xff);
    host.setVar('bsscfg:event_msgs', mask);
    host.ioctl(2, true, Buffer.alloc(0));
    return { ...made, host };
}

module.exports = { FakeClock, FakeAir, HostDriver, MAC, makeChip, upChip, fakeFirmware, NVRAM, parseAsyncEvent };
