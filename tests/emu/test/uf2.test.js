import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUF2 } from '../lib/uf2.js';
import { makeUF2 } from './helpers.js';

test('UF2 blocks give their flash addresses and payloads', () => {
    const blocks = parseUF2(makeUF2([new Uint8Array(256).fill(1), new Uint8Array(256).fill(2)]));
    assert.equal(blocks.length, 2);
    assert.equal(blocks[1].address, 0x10000100);
    assert.deepEqual([...blocks[1].payload.slice(0, 3)], [2, 2, 2]);
});

test('a file that is not UF2 is refused', () => {
    assert.throws(() => parseUF2(new Uint8Array(100)), /not a UF2 image/);
    const damaged = makeUF2([new Uint8Array(256)]);
    damaged[508] ^= 0xff;
    assert.throws(() => parseUF2(damaged), /bad magic in block 0/);
});

test('an RP2350 image is refused: rp2040js emulates only the RP2040', () => {
    const rp2350 = makeUF2([new Uint8Array(256)], { family: 0xe48bff59 });
    assert.throws(() => parseUF2(rp2350), /no RP2040 blocks \(family 0xe48bff59\)/);
});

test('a block that is not RP2040 flash is refused', () => {
    assert.throws(() => parseUF2(makeUF2([new Uint8Array(256)], { address: 0x20000000 })), /is not RP2040 flash/);
});
