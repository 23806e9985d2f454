import assert from 'node:assert/strict';
import { test } from 'node:test';
import { romFunction } from '../lib/bootrom.js';
import { bootromFromTypeScript } from '../extract_bootrom.js';
import { makeBootrom } from './helpers.js';

test('ROM functions are found by their two-letter code, without the Thumb bit', () => {
    const rom = makeBootrom({ RE: 0x2351, RP: 0x2395 });
    assert.equal(romFunction(rom, 'RE'), 0x2350);
    assert.equal(romFunction(rom, 'RP'), 0x2394);
    assert.throws(() => romFunction(rom, 'FC'), /no function FC/);
});

test('a file that is not an RP2040 boot ROM is refused', () => {
    assert.throws(() => romFunction(new Uint8Array(1000), 'RE'), /must be 16384 bytes/);
    assert.throws(() => romFunction(new Uint8Array(16384), 'RE'), /no "Mu" magic/);
});

test("rp2040js's bootrom.ts layout converts to the little-endian binary", () => {
    const rom = makeBootrom({ RE: 0x2351 });
    const words = new Uint32Array(rom.buffer);
    const source = `// comment 0x1234\nexport const bootromB1 = new Uint32Array([\n  ${[...words].map((w) => '0x' + w.toString(16)).join(', ')},\n]);\n`;
    assert.deepEqual(bootromFromTypeScript(source), rom);
    assert.throws(() => bootromFromTypeScript('const x = 1;'), /not rp2040js's demo\/bootrom.ts/);
});
