#!/usr/bin/env node
// Writes the RP2040 boot ROM as a 16 KB binary from rp2040js's `demo/bootrom.ts` (Raspberry Pi's
// B1 boot ROM as a TypeScript array of 32-bit words), for BOOTROM=:
//
//   node tests/emu/extract_bootrom.js path/to/rp2040js/demo/bootrom.ts bootrom.bin

import { readFileSync, writeFileSync } from 'fs';
import { createHash } from 'crypto';
import { BOOTROM_SIZE, romFunction } from './lib/bootrom.js';

// rp2040js's copy, pico-bootrom revision B1 (00a4a19114195e20fb817bdfbca1165e157eef37).
const KNOWN_SHA256 = '90b31e108faedfa6bbcfcc33ba05dac61e645108cfbbdc385f8dafc71fde44ae';

export function bootromFromTypeScript(source) {
    const start = source.indexOf('new Uint32Array([');
    if (start < 0) {
        throw new Error('no "new Uint32Array([" in the file: not rp2040js\'s demo/bootrom.ts');
    }
    const body = source.slice(start, source.indexOf(']', start));
    const words = [...body.matchAll(/0x[0-9a-fA-F]{1,8}/g)].map((m) => parseInt(m[0], 16));
    const rom = new Uint8Array(words.length * 4);
    const view = new DataView(rom.buffer);
    words.forEach((word, i) => view.setUint32(i * 4, word, true));
    if (rom.length !== BOOTROM_SIZE) {
        throw new Error(`the array holds ${rom.length} bytes, a boot ROM has ${BOOTROM_SIZE}`);
    }
    romFunction(rom, 'RE'); // throws unless it is an RP2040 boot ROM with a function table
    return rom;
}

function main([source, out]) {
    if (!source || !out) {
        console.error('usage: extract_bootrom.js demo/bootrom.ts bootrom.bin');
        return 2;
    }
    const rom = bootromFromTypeScript(readFileSync(source, 'utf8'));
    writeFileSync(out, rom);
    const sha = createHash('sha256').update(rom).digest('hex');
    console.log(`${out}: ${rom.length} bytes, sha256 ${sha}${sha === KNOWN_SHA256 ? ' (boot ROM B1, as rp2040js ships it)' : ' (not the B1 image rp2040js ships)'}`);
    return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
    process.exitCode = main(process.argv.slice(2));
}
