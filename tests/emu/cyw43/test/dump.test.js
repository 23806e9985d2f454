'use strict';
// The bus dump: the model writes cyw43_bus_pio_spi.c's format, and the decoder reads it back as
// registers, ioctls, events and data (the same decoder reads a real Pico W's dump).

const test = require('node:test');
const assert = require('node:assert/strict');
const { decodeDump, parseDump, formatDump } = require('../dump');
const { upChip } = require('./helpers');

test('the dump format round-trips', () => {
    const tx = Buffer.from([...Array(21).keys()]);
    const text = formatDump(7, tx, null) + formatDump(8, tx.subarray(0, 4), Buffer.alloc(24, 0xab));
    assert.match(text, /^\[7\] bus TX only 21 bytes:\n00 01 02 03 04 05 06 07  08 09/);
    const [a, b] = parseDump(text);
    assert.deepEqual([a.counter, a.tx, a.rx], [7, tx, null]);
    assert.deepEqual([b.counter, b.rx], [8, Buffer.alloc(24, 0xab)]);
});

test('a bring-up, a join and a scan decode from the model\'s dump', () => {
    let text = '';
    const { host, air } = upChip({}, { dump: (t) => { text += t; } });
    host.setVar('escan', Buffer.alloc(76));
    air.tell('scan_done', { status: 0 });
    host.drain(5);
    const lines = decodeDump(text);
    assert.match(lines[0], /^#0 read F0 0x14 \(4\) = 0xfeedbead$/);
    assert.ok(lines.some((l) => /write F0 0x0 = 0x204b3/.test(l)), 'the switch to 32-bit mode');
    assert.ok(lines.some((l) => /read F1 0x1000e \(1\) = 0xc0/.test(l)), 'HT available');
    assert.ok(lines.some((l) => /host→chip .* ioctl SET_VAR "clmload" set if0 id 1 len/.test(l)));
    assert.ok(lines.some((l) => /host→chip .* ioctl GET_VAR "clmload_status" get if0 id \d+ len 19/.test(l)));
    assert.ok(lines.some((l) => /chip→host .* ioctl GET_VAR get if0 id \d+ status 0 len 19/.test(l)));
    const event = lines.find((l) => / event ESCAN_RESULT /.test(l));
    assert.match(event, /hdr 18 event ESCAN_RESULT flags 0 status 0 reason 0 if0 \(event at spid_buf\+46\)/);
});
