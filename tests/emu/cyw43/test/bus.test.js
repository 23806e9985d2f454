'use strict';
// The gSPI bus and the backplane, driven as cyw43_bus_pio_spi.c and
// cyw43_ll_bus_init drive them.

const test = require('node:test');
const assert = require('node:assert/strict');
const { decodeCommand, encodeCommand, TEST_PATTERN } = require('../gspi');
const { HostDriver, makeChip, fakeFirmware, NVRAM } = require('./helpers');

test('the command word carries write, increment, function, address and length', () => {
    const word = encodeCommand({ write: true, fn: 1, address: 0x1000e, length: 1 });
    assert.equal(word, (1 << 31 | 1 << 30 | 1 << 28 | 0x1000e << 11 | 1) >>> 0);
    assert.deepEqual(decodeCommand(word), { write: true, increment: true, fn: 1, address: 0x1000e, length: 1 });
    assert.equal(decodeCommand(encodeCommand({ write: false, fn: 2, address: 0, length: 0 })).length, 2048);
});

test('the test pattern reads in the 16-bit power-on mode, and only there as rev16 halves', () => {
    const { chip } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, null);
    assert.equal(host.readRegSwap(0, 0x14), TEST_PATTERN);
    // Read as if already in 32-bit mode, the halves come out swapped.
    assert.notEqual(host.readReg(0, 0x14, 4), TEST_PATTERN);
});

test('write_reg_u32_swap switches the bus to 32-bit words, high interrupt polarity', () => {
    const { chip } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, null);
    host.writeRegSwap(0, 0x0, 0x01 | 0x02 | 0x10 | 0x20 | 0x80 | (0x4 << 8) | (0x02 << 16));
    assert.equal(chip.gspi.mode32, true);
    assert.equal(chip.gspi.interruptPolarityHigh, true);
    assert.equal(host.readReg(0, 0x14, 4), TEST_PATTERN);
    assert.equal(host.readReg(0, 0x0, 4) & 0xffffff, 0x0204b3);
});

test('the interrupt register starts with DATA_UNAVAILABLE and clears by writing ones', () => {
    const { chip } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, null);
    host.writeRegSwap(0, 0x0, 0x01 | 0x20);
    assert.equal(host.readReg(0, 0x04, 2), 0x0001);
    host.writeReg(0, 0x04, 1, 0x99);
    assert.equal(host.readReg(0, 0x04, 2), 0);
});

test('F1 reads answer after the response delay the host set (16 bytes of padding)', () => {
    const { chip } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, null);
    host.writeRegSwap(0, 0x0, 0x01 | 0x20);
    host.writeReg(0, 0x1d, 1, 16);
    host.writeReg(1, 0x10008, 1, 0x10);
    assert.equal(host.readReg(1, 0x10008, 1), 0x10);
    host.padF1 = 0;
    assert.notEqual(host.readReg(1, 0x10008, 1), 0x10, 'without the padding the value is not where the driver looks');
});

test('the backplane window reaches RAM and the core wrappers; both cores start in reset', () => {
    const { chip } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, null);
    host.writeRegSwap(0, 0x0, 0x01 | 0x20);
    host.writeReg(0, 0x1d, 1, 16);
    assert.equal(host.readBackplane(0x18103800, 1) & 1, 1);
    assert.equal(host.readBackplane(0x18104800, 1) & 1, 1);
    host.download(0x1000, Buffer.from('0123456789abcdef'.repeat(8)));
    assert.equal(chip.backplane.ram.subarray(0x1000, 0x1010).toString(), '0123456789abcdef');
    host.writeBackplane(0x18004010, 4, 3);
    assert.equal(host.readBackplane(0x18004010, 4), 3);
    assert.equal(host.readBackplane(0x18000000, 4) & 0xffff, 43439);
});

test('the downloaded firmware boots: HT clock, then F2 ready, then the CLM loads', () => {
    const { chip, clock } = makeChip();
    chip.powerOn();
    const host = new HostDriver(chip, clock);
    assert.deepEqual(host.busInit(), []);
    assert.ok(chip.firmware.version.startsWith('Version: 7.95.49'));
    assert.ok(chip.firmware.clm.done);
    assert.ok(clock.nanos / 1e6 >= 29, 'the HT clock takes the boot time');
});

test('without a valid firmware trailer or NVRAM length word nothing boots', () => {
    for (const bad of [{ firmware: Buffer.alloc(4096, 0x11) }, { nvram: NVRAM, corruptNvram: true }]) {
        const { chip, clock } = makeChip();
        chip.powerOn();
        const host = new HostDriver(chip, clock);
        if (bad.corruptNvram) {
            const original = host.writeBackplane.bind(host);
            host.writeBackplane = (addr, size, value) => original(addr, size, addr === 512 * 1024 - 4 ? 0x1234 : value);
        }
        assert.deepEqual(host.busInit({ firmware: bad.firmware ?? fakeFirmware() }), ['HT not ready']);
    }
});

test('power off (WL_REG_ON low) forgets everything; the bus is 16-bit again', () => {
    const { chip, clock } = makeChip();
    chip.powerOn();
    assert.deepEqual(new HostDriver(chip, clock).busInit(), []);
    chip.powerOff();
    chip.powerOn();
    const host = new HostDriver(chip, clock);
    assert.equal(chip.gspi.mode32, false);
    assert.equal(chip.f2Ready(), false);
    assert.equal(host.readRegSwap(0, 0x14), TEST_PATTERN);
    assert.deepEqual(host.busInit(), []);
});

test('a powered-off chip answers zeros', () => {
    const { chip } = makeChip();
    const host = new HostDriver(chip, null);
    assert.equal(host.readRegSwap(0, 0x14), 0);
});

test('timers fire in time order, and in setting order at the same instant, on rp2040js\'s clock', () => {
    // rp2040js's clock runs same-instant alarms newest first; the model's timers must not.
    const { RP2040 } = require('rp2040js');
    const { Timers } = require('../chip');
    const { clock } = new RP2040();
    const timers = new Timers(clock);
    const seen = [];
    timers.after(5, () => seen.push('b'));
    timers.after(0, () => seen.push('a1'));
    timers.after(0, () => seen.push('a2'));
    const c = timers.after(5, () => seen.push('c'));
    timers.after(5, () => {
        seen.push('d');
        timers.after(0, () => seen.push('e'));
    });
    c.cancel();
    clock.tick(10e6);
    assert.deepEqual(seen, ['a1', 'a2', 'b', 'd', 'e']);
});
