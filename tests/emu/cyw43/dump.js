'use strict';
// The bus dump of cyw43_bus_pio_spi.c (ENABLE_SPI_DUMPING): each transaction as
//   [n] bus TX/RX <tx> bytes rx <rx>:   or   [n] bus TX only <tx> bytes:
//   <the bytes, 16 a line>
//   RXed:
//   <the bytes read>
// formatDump writes the model's own transactions that way, decodeDump reads a dump (a real Pico
// W's, or the model's) and says what each transaction carried: registers, SDPCM frames, ioctls
// with their iovar names, events with status and reason, data frames. The two decoded traces of
// the same scenario can be put side by side (tests/emu/README.md "Calibrating the model").

const { decodeCommand, wordFromWire, FN, REG, BUS_CONTROL } = require('./gspi');
const { EV } = require('./events');
const { WLC } = require('./firmware');

const EV_NAMES = Object.fromEntries(Object.entries(EV).map(([name, value]) => [value, name]));
const WLC_NAMES = Object.fromEntries(Object.entries(WLC).map(([name, value]) => [value, name]));

function hexLines(bytes) {
    let text = '';
    for (let i = 0; i < bytes.length; i++) {
        if (i % 16 === 0) {
            text += '\n';
        } else if (i % 8 === 0) {
            text += ' ';
        }
        text += `${bytes[i].toString(16).padStart(2, '0')} `;
    }
    return `${text}\n`;
}

/** One transaction in the pico-sdk's dump format (rx null for a write-only one). */
function formatDump(counter, tx, rx) {
    if (rx === null) {
        return `[${counter}] bus TX only ${tx.length} bytes:${hexLines(tx)}RXed:\n\n\n`;
    }
    return `[${counter}] bus TX/RX ${tx.length} bytes rx ${rx.length}:${hexLines(tx)}RXed:${hexLines(rx)}\n`;
}

/** The transactions of a dump: [{ counter, tx, rx (null: write only) }]. */
function parseDump(text) {
    const transactions = [];
    let current = null;
    let into = null;
    for (const line of text.split('\n')) {
        const head = /^\[(\d+)\] bus (TX\/RX (\d+) bytes rx (\d+)|TX only (\d+) bytes):/.exec(line);
        if (head) {
            current = { counter: Number(head[1]), tx: [], rx: head[3] === undefined ? null : [] };
            transactions.push(current);
            into = current.tx;
            continue;
        }
        if (current === null) {
            continue;
        }
        if (line.startsWith('RXed:')) {
            into = current.rx;
            continue;
        }
        if (into !== null && /^[0-9a-f ]+$/.test(line.trim()) && line.trim()) {
            for (const byte of line.trim().split(/\s+/)) {
                into.push(parseInt(byte, 16));
            }
        }
    }
    return transactions.map((t) => ({ counter: t.counter, tx: Buffer.from(t.tx), rx: t.rx === null ? null : Buffer.from(t.rx) }));
}

function describeFrame(bytes, direction) {
    if (bytes.length < 12) {
        return `${direction} (${bytes.length} bytes)`;
    }
    const size = bytes.readUInt16LE(0);
    if (size === 0) {
        return `${direction} nothing pending`;
    }
    const channel = bytes[5] & 0xf;
    const headerLength = bytes[7];
    const base = `${direction} seq ${bytes[4]} credit ${bytes[9]} hdr ${headerLength}`;
    if (size === 12) {
        return `${base} credit only`;
    }
    const body = bytes.subarray(headerLength, size);
    if (channel === 0 && body.length >= 16) {
        const cmd = body.readUInt32LE(0);
        const flags = body.readUInt32LE(8);
        const data = body.subarray(16);
        // The iovar's name travels in the request; a reply carries the value in its place.
        const named = direction === 'host→chip' && (cmd === WLC.GET_VAR || cmd === WLC.SET_VAR);
        const name = named ? ` "${data.subarray(0, Math.max(0, data.indexOf(0))).toString('latin1')}"` : '';
        const status = body.readInt32LE(12);
        return `${base} ioctl ${WLC_NAMES[cmd] ?? cmd}${name} ${flags & 2 ? 'set' : 'get'} if${(flags >> 12) & 0xf} id ${flags >>> 16}`
            + (direction === 'chip→host' ? ` status ${status}` : '') + ` len ${data.length}`;
    }
    const payload = body.subarray(4 + (body[3] || 0) * 4);
    if (channel === 1 && payload.length >= 24 + 48) {
        const msg = payload.subarray(24);
        const type = msg.readUInt32BE(4);
        return `${base} event ${EV_NAMES[type] ?? type} flags ${msg.readUInt16BE(2)} status ${msg.readUInt32BE(8)}`
            + ` reason ${msg.readUInt32BE(12)} if${msg[46]} (event at spid_buf+${headerLength + 4 + (body[3] || 0) * 4 + 24})`;
    }
    if (channel === 2) {
        const type = payload.length >= 14 ? payload.readUInt16BE(12).toString(16).padStart(4, '0') : '?';
        return `${base} data if${body[2]} ${payload.length} bytes, ethertype ${type}`;
    }
    return `${base} channel ${channel}, ${size} bytes`;
}

/** Read a dump as lines of what happened on the bus. */
function decodeDump(text) {
    let mode32 = false;
    let pad = 0;
    const lines = [];
    for (const { counter, tx, rx } of parseDump(text)) {
        if (tx.length < 4) {
            continue;
        }
        const cmd = decodeCommand(wordFromWire(tx, 0, mode32));
        const fn = ['F0', 'F1', 'F2'][cmd.fn] ?? `F${cmd.fn}`;
        const at = `0x${cmd.address.toString(16)}`;
        let what;
        if (cmd.write) {
            const data = tx.subarray(4, 4 + cmd.length);
            if (cmd.fn === FN.WLAN) {
                what = describeFrame(data, 'host→chip');
            } else {
                const value = data.length >= 4 ? wordFromWire(data, 0, mode32) : data.readUIntLE(0, Math.min(data.length, 4) || 1);
                what = `write ${fn} ${at} = 0x${(value >>> 0).toString(16)}${cmd.length > 4 ? ` (${cmd.length} bytes)` : ''}`;
                if (cmd.fn === FN.BUS && cmd.address === REG.BUS_CONTROL) {
                    mode32 = (value & BUS_CONTROL.WORD_LENGTH_32) !== 0;
                } else if (cmd.fn === FN.BUS && cmd.address === REG.RESP_DELAY_F1) {
                    pad = value & 0xff;
                }
            }
        } else {
            const data = rx ? rx.subarray(tx.length + (cmd.fn === FN.BACKPLANE ? pad : 0)) : Buffer.alloc(0);
            if (cmd.fn === FN.WLAN) {
                what = describeFrame(data, 'chip→host');
            } else {
                const value = data.length >= 4 ? wordFromWire(data, 0, mode32) : 0;
                what = `read ${fn} ${at} (${cmd.length}) = 0x${(value >>> 0).toString(16)}`;
            }
        }
        lines.push(`#${counter} ${what}`);
    }
    return lines;
}

module.exports = { formatDump, parseDump, decodeDump, describeFrame };

if (require.main === module) {
    const text = require('node:fs').readFileSync(process.argv[2] || 0, 'utf8');
    for (const line of decodeDump(text)) {
        console.log(line);
    }
}
