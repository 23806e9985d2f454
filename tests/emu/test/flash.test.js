// The runner applies the boot ROM's flash_range_erase / flash_range_program to the emulated flash
// (rp2040js leaves them to an SSI it does not emulate). The core is a stand-in holding the
// registers as the ROM sees them on entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pico } from '../lib/pico.js';
import { makeBootrom, makeUF2 } from './helpers.js';

const ERASE = 0x2350;
const PROGRAM = 0x2394;
const SRAM = 0x20000000;

function board() {
    const image = makeUF2([new Uint8Array(256).fill(0xaa)]);
    return new Pico({ bootrom: makeBootrom({ RE: ERASE | 1, RP: PROGRAM | 1 }), image });
}

function call(pico, pc, ...args) {
    const core = { PC: pc, LR: 0x10000123, registers: [...args, 0, 0, 0, 0] };
    pico.romCall(core);
    return core;
}

test('the image is in flash at power-on', () => {
    const pico = board();
    assert.equal(pico.flash[0], 0xaa);
    assert.equal(pico.flash[256], 0xff);
});

test('program clears bits only, erase sets whole sectors, both return to the caller', () => {
    const pico = board();
    const offset = 0x100000;
    pico.mcu.sram.set(new Uint8Array(256).fill(0x0f), 0x1000);
    let core = call(pico, PROGRAM, offset, SRAM + 0x1000, 256);
    assert.equal(core.PC, 0x10000122);
    assert.equal(pico.flash[offset], 0x0f);
    pico.mcu.sram.set(new Uint8Array(256).fill(0xf3), 0x1000);
    call(pico, PROGRAM, offset, SRAM + 0x1000, 256);
    assert.equal(pico.flash[offset], 0x03, 'programming over programmed bits ANDs them, as NOR flash does');
    assert.equal(pico.flash[offset + 256], 0xff);
    core = call(pico, ERASE, offset, 4096, 65536, 0xd8);
    assert.equal(core.PC, 0x10000122);
    assert.equal(pico.flash[offset], 0xff);
    assert.deepEqual(pico.flashStats, { erases: 1, erasedBytes: 4096, programs: 2, programmedBytes: 512 });
});

test('other branches are left alone', () => {
    const pico = board();
    const core = call(pico, 0x1000, 0, SRAM, 256);
    assert.equal(core.PC, 0x1000);
    assert.equal(pico.flashStats.programs, 0);
});

test('a power cycle keeps the flash and starts the chip over', () => {
    const pico = board();
    pico.mcu.sram.set(new Uint8Array(256).fill(0x01), 0);
    call(pico, PROGRAM, 0x1000, SRAM, 256);
    const before = pico.mcu;
    pico.powerCycle();
    assert.notEqual(pico.mcu, before);
    assert.equal(pico.flash[0x1000], 0x01);
    assert.equal(pico.flash[0], 0xaa);
    assert.equal(pico.mcu.sram[0], 0, 'RAM starts over');
    assert.equal(pico.mcu.core.PC, 0x10000000);
});

test('devices are attached at every power-on and detached at power-off', () => {
    const events = [];
    const device = {
        attach(emu) {
            events.push(['attach', typeof emu.mcu.pio[0].machines[0].step, typeof emu.clock.createAlarm]);
            return { detach: () => events.push(['detach']) };
        },
    };
    const pico = new Pico({ bootrom: makeBootrom({ RE: ERASE | 1, RP: PROGRAM | 1 }), image: makeUF2([new Uint8Array(4)]), devices: [device] });
    pico.powerCycle();
    assert.deepEqual(events, [['attach', 'function', 'function'], ['detach'], ['attach', 'function', 'function']]);
});
