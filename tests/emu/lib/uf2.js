// UF2 images (Microsoft's USB flashing format, as picotool writes them for the RP2040):
// 512-byte blocks, each carrying up to 476 bytes for one flash address.

const MAGIC_START0 = 0x0a324655;
const MAGIC_START1 = 0x9e5d5157;
const MAGIC_END = 0x0ab16f30;
const FLAG_NOT_MAIN_FLASH = 0x00000001;
const FLAG_FAMILY_ID_PRESENT = 0x00002000;
export const RP2040_FAMILY_ID = 0xe48bff56;
export const FLASH_BASE = 0x10000000;
export const FLASH_SIZE = 16 * 1024 * 1024; // the most the RP2040's XIP window maps

// Returns [{address, payload}] for the blocks meant for the RP2040's flash. Throws on a
// file that is not UF2 or has no block for the RP2040 (a Pico 2 W image, for instance).
export function parseUF2(bytes) {
    if (bytes.length === 0 || bytes.length % 512 !== 0) {
        throw new Error(`not a UF2 image: ${bytes.length} bytes is not a whole number of 512-byte blocks`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const blocks = [];
    const families = new Set();
    for (let offset = 0; offset < bytes.length; offset += 512) {
        const word = (at) => view.getUint32(offset + at, true);
        if (word(0) !== MAGIC_START0 || word(4) !== MAGIC_START1 || word(508) !== MAGIC_END) {
            throw new Error(`not a UF2 image: bad magic in block ${offset / 512}`);
        }
        const flags = word(8);
        const family = flags & FLAG_FAMILY_ID_PRESENT ? word(28) : RP2040_FAMILY_ID;
        families.add(family);
        if (flags & FLAG_NOT_MAIN_FLASH || family !== RP2040_FAMILY_ID) {
            continue;
        }
        const address = word(12);
        const size = word(16);
        if (size > 476 || address < FLASH_BASE || address + size > FLASH_BASE + FLASH_SIZE) {
            throw new Error(`UF2 block ${offset / 512}: ${size} bytes at 0x${address.toString(16)} is not RP2040 flash`);
        }
        blocks.push({ address, payload: bytes.subarray(offset + 32, offset + 32 + size) });
    }
    if (blocks.length === 0) {
        const seen = [...families].map((f) => '0x' + f.toString(16)).join(', ');
        throw new Error(`the UF2 image has no RP2040 blocks (family ${seen}); rp2040js emulates only the RP2040`);
    }
    return blocks;
}
