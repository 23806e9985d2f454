// The RP2040 boot ROM's public function table (RP2040 datasheet 2.8.3 "Bootrom Contents"):
// the halfword at 0x14 points at a table of (code, address) halfword pairs ending with code 0;
// a code is two ASCII characters, the first in the low byte.

export const BOOTROM_SIZE = 16 * 1024;

export function romCode(name) {
    return name.charCodeAt(0) | (name.charCodeAt(1) << 8);
}

// Looks `name` ('RE', 'RP', ...) up in a boot ROM image; returns the function's address
// without the Thumb bit, so it can be compared with the core's PC.
export function romFunction(rom, name) {
    if (rom.length !== BOOTROM_SIZE) {
        throw new Error(`the boot ROM must be ${BOOTROM_SIZE} bytes, this one has ${rom.length}`);
    }
    const view = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
    if (view.getUint8(0x10) !== 0x4d || view.getUint8(0x11) !== 0x75 || view.getUint8(0x12) !== 0x01) {
        throw new Error('not an RP2040 boot ROM (no "Mu" magic at 0x10)');
    }
    const code = romCode(name);
    for (let entry = view.getUint16(0x14, true); entry + 4 <= rom.length; entry += 4) {
        const entryCode = view.getUint16(entry, true);
        if (entryCode === 0) {
            break;
        }
        if (entryCode === code) {
            return view.getUint16(entry + 2, true) & ~1;
        }
    }
    throw new Error(`the boot ROM has no function ${name}`);
}
