// Synthetic inputs for the runner's unit tests: no firmware image or real boot ROM needed.

import { BOOTROM_SIZE, romCode } from '../lib/bootrom.js';
import { RP2040_FAMILY_ID } from '../lib/uf2.js';

// A UF2 file with one 256-byte block per payload, at consecutive addresses from `address`.
export function makeUF2(payloads, { address = 0x10000000, family = RP2040_FAMILY_ID } = {}) {
    const out = new Uint8Array(payloads.length * 512);
    const view = new DataView(out.buffer);
    payloads.forEach((payload, i) => {
        const at = i * 512;
        view.setUint32(at, 0x0a324655, true);
        view.setUint32(at + 4, 0x9e5d5157, true);
        view.setUint32(at + 8, 0x00002000, true); // family ID present
        view.setUint32(at + 12, address + i * 256, true);
        view.setUint32(at + 16, payload.length, true);
        view.setUint32(at + 20, i, true);
        view.setUint32(at + 24, payloads.length, true);
        view.setUint32(at + 28, family, true);
        out.set(payload, at + 32);
        view.setUint32(at + 508, 0x0ab16f30, true);
    });
    return out;
}

// A boot ROM image with only the header and a function table of {code: thumbAddress}.
export function makeBootrom(functions) {
    const rom = new Uint8Array(BOOTROM_SIZE);
    const view = new DataView(rom.buffer);
    rom.set([0x4d, 0x75, 0x01, 0x02], 0x10);
    view.setUint16(0x14, 0x100, true);
    let at = 0x100;
    for (const [name, address] of Object.entries(functions)) {
        view.setUint16(at, romCode(name), true);
        view.setUint16(at + 2, address, true);
        at += 4;
    }
    return rom;
}
