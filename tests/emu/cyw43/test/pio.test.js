'use strict';
// The attachment at the PIO FIFOs, against a state machine with rp2040js's
// interface, driven in cyw43_spi_transfer's order.

const test = require('node:test');
const assert = require('node:assert/strict');
const { hookStateMachine, attachToRp2040, PINS } = require('../pio');

class Fifo {
    constructor() {
        this.items = [];
    }

    push(v) {
        if (this.items.length < 4) {
            this.items.push(v);
        }
    }

    pull() {
        return this.items.shift() ?? 0;
    }

    reset() {
        this.items = [];
    }

    get empty() {
        return this.items.length === 0;
    }

    get full() {
        return this.items.length === 4;
    }
}

function fakeMachine(pins = PINS) {
    const pio = { txStall: 0, fdebug: 0, checkInterrupts() {} };
    const sm = {
        pio, index: 2, enabled: false, x: 0, y: 0, stepped: 0,
        outBase: pins.data, inBase: pins.data, sidesetBase: pins.clock,
        txFIFO: new Fifo(), rxFIFO: new Fifo(),
        step() { this.stepped++; },
        writeFIFO(v) { this.txFIFO.push(v); },
        readFIFO() { return this.rxFIFO.pull(); },
        updateDMATx() {}, updateDMARx() {},
        // exec'd `out x, 32` / `out y, 32` with autopull
        execOutX() { this.x = this.txFIFO.pull(); },
        execOutY() { this.y = this.txFIFO.pull(); },
    };
    return sm;
}

/** cyw43_spi_transfer: set up X and Y while disabled, enable, DMA the words in (and out). */
function transfer(sm, txWords, rxWords) {
    sm.enabled = false;
    sm.writeFIFO(txWords.length * 32 - 1);
    sm.execOutX();
    sm.writeFIFO(rxWords ? rxWords * 32 - 1 : 0);
    sm.execOutY();
    // The TX DMA fills the FIFO before the state machine is enabled.
    const early = txWords.slice(0, 4);
    early.forEach((w) => sm.writeFIFO(w));
    sm.enabled = true;
    txWords.slice(4).forEach((w) => sm.writeFIFO(w));
    const rx = [];
    for (let i = 0; i < rxWords; i++) {
        rx.push(sm.readFIFO());
    }
    return rx;
}

test('a write-only transfer reaches the chip whole and raises TXSTALL; a read answers through the RX FIFO', () => {
    const seen = [];
    const sm = fakeMachine();
    hookStateMachine(sm, {
        spiWrite: (bytes) => seen.push(['write', bytes.toString('hex')]),
        spiRead: (bytes, length) => {
            seen.push(['read', bytes.toString('hex'), length]);
            return Buffer.from([...Array(length).keys()]);
        },
    }, PINS);
    transfer(sm, [0x11223344, 0x55667788, 1, 2, 3, 4], 0);
    assert.deepEqual(seen.shift(), ['write', '112233445566778800000001000000020000000300000004']);
    assert.equal(sm.pio.fdebug & (1 << 26), 1 << 26, 'TXSTALL for state machine 2');
    const rx = transfer(sm, [0xa0b0c0d0], 6);
    assert.deepEqual(seen.shift(), ['read', 'a0b0c0d0', 24]);
    assert.deepEqual(rx, [0x00010203, 0x04050607, 0x08090a0b, 0x0c0d0e0f, 0x10111213, 0x14151617]);
    assert.equal(sm.pio.txStall & (1 << 26), 0, 'cleared by the next transfer');
    assert.equal(sm.stepped, 0, 'the program itself never runs for the bus');
    sm.step();
    assert.equal(sm.stepped, 0, 'not while the bus state machine is enabled');
});

test('a state machine on other pins is left alone', () => {
    const sm = fakeMachine({ data: 2, clock: 3 });
    let calls = 0;
    hookStateMachine(sm, { spiWrite: () => calls++, spiRead: () => calls++ }, PINS);
    sm.enabled = true;
    sm.writeFIFO(5);
    sm.step();
    assert.equal(calls, 0);
    assert.deepEqual(sm.txFIFO.items, [5]);
    assert.equal(sm.stepped, 1);
});

test('WL_REG_ON powers the chip, CS frames it, host wake drives GPIO24', () => {
    const listeners = {};
    const inputs = {};
    const gpio = [...Array(30).keys()].map((i) => ({
        value: 0,
        addListener: (fn) => { listeners[i] = fn; },
        setInputValue: (v) => { inputs[i] = v; },
    }));
    const sm = fakeMachine();
    let runs = 0;
    const block = { machines: [sm], stopped: false, runTimer: 1, run: () => { runs++; } };
    sm.pio = block;
    const rp2040 = { pio: [block], gpio };
    const calls = [];
    const chip = {
        powerOn: () => calls.push('on'), powerOff: () => calls.push('off'),
        setChipSelect: (high) => calls.push(high ? 'cs high' : 'cs low'),
        spiWrite: () => {}, spiRead: (bytes, length) => Buffer.alloc(length),
    };
    attachToRp2040(rp2040, chip);
    listeners[23](1);
    listeners[25](0);
    listeners[25](1);
    listeners[23](0);
    assert.deepEqual(calls, ['on', 'cs low', 'cs high', 'off']);
    chip.onHostWake(true);
    assert.equal(inputs[24], true);
    // The block rests while only the bus state machine is enabled, and runs for any other.
    Object.assign(block, { txStall: 0, fdebug: 0, checkInterrupts() {} });
    transfer(sm, [0x1], 1);
    block.run();
    assert.equal(runs, 0);
    assert.equal(block.stopped, true);
    sm.enabled = false;
    sm.outBase = 5;
    sm.enabled = true;
    block.run();
    assert.equal(runs, 1);
});
