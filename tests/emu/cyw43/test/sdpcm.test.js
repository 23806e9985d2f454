'use strict';
// SDPCM framing, credits and async-event encoding, as cyw43_ll.c parses them.

const test = require('node:test');
const assert = require('node:assert/strict');
const sdpcm = require('../sdpcm');
const { encodeEvent, decodeEvent, EV } = require('../events');
const { upChip, parseAsyncEvent, MAC } = require('./helpers');

test('a host control frame parses to its ioctl; the reply echoes cmd and id and carries the status', () => {
    const frame = sdpcm.buildHostIoctl({ cmd: 262, set: false, iface: 1, id: 0x1234, data: Buffer.from('bss\0\x01\0\0\0'), sequence: 7 });
    const parsed = sdpcm.parseHostFrame(Buffer.concat([frame, Buffer.alloc(3)]));
    assert.equal(parsed.sequence, 7);
    assert.equal(parsed.channel, sdpcm.CHANNEL_CONTROL);
    assert.equal(parsed.ioctl.cmd, 262);
    assert.equal(parsed.ioctl.iface, 1);
    assert.equal(parsed.ioctl.id, 0x1234);
    assert.equal(parsed.ioctl.set, false);
    const reply = sdpcm.ioctlReply(parsed.ioctl, Buffer.from([1, 0, 0, 0]), -17);
    assert.equal(reply.readUInt32LE(0), 262);
    assert.equal(reply.readUInt32LE(8) >>> 16, 0x1234);
    assert.equal(reply.readUInt32LE(8) & 1, 1, 'error flag');
    assert.equal(reply.readInt32LE(12), -17);
});

test('a host data frame (2 bytes of padding, then BDC) gives the interface and the Ethernet frame', () => {
    const ethernet = Buffer.from('ffffffffffff024e4d0000070806', 'hex');
    const parsed = sdpcm.parseHostFrame(sdpcm.buildHostData({ iface: 1, ethernet }));
    assert.equal(parsed.channel, sdpcm.CHANNEL_DATA);
    assert.equal(parsed.iface, 1);
    assert.deepEqual(parsed.ethernet, ethernet);
});

test('bad frames are refused: size check, short, header length, channel', () => {
    const good = sdpcm.buildHostIoctl({ cmd: 2, set: true, id: 1, data: Buffer.alloc(0) });
    const broken = Buffer.from(good);
    broken[2] ^= 1;
    assert.throws(() => sdpcm.parseHostFrame(broken), /complement/);
    assert.throws(() => sdpcm.parseHostFrame(good.subarray(0, 8)), /shorter/);
    const badHeader = Buffer.from(good);
    badHeader[7] = 200;
    assert.throws(() => sdpcm.parseHostFrame(badHeader), /header length/);
    const event = Buffer.from(good);
    event[5] = 1;
    assert.throws(() => sdpcm.parseHostFrame(event), /channel 1/);
});

test('the event layout keeps wl_event_msg where the driver can relocate it to a 4-aligned address', () => {
    const frame = encodeEvent({ type: EV.LINK, flags: 1, status: 0, reason: 0, ifidx: 1, addr: MAC, dst: MAC, src: MAC });
    for (const headerLength of [14, 18, 22]) {
        const spid = sdpcm.buildFrame(sdpcm.CHANNEL_EVENT, sdpcm.bdcPayload(1, frame), { sequence: 0, credit: 0, headerLength });
        const event = parseAsyncEvent(Buffer.concat([spid, Buffer.alloc(64)]), headerLength + 4 + 24, frame.length - 24);
        assert.equal(event.type, EV.LINK);
        assert.equal(event.flags, 1);
        assert.equal(event.iface, 1);
    }
    const misaligned = sdpcm.buildFrame(sdpcm.CHANNEL_EVENT, sdpcm.bdcPayload(0, frame), { sequence: 0, credit: 0, headerLength: 12 });
    assert.throws(() => parseAsyncEvent(misaligned, 12 + 4 + 24, frame.length - 24), /misaligned/);
    assert.equal(decodeEvent(frame).type, EV.LINK);
});

test('credits: the host may run ahead by the window, and a data frame is always answered', () => {
    for (const creditWindow of [1, 4, 20]) {
        const { chip, host } = upChip({ creditWindow });
        const before = host.stalls;
        const frame = Buffer.from('ffffffffffff024e4d000007' + '0806' + '00'.repeat(28), 'hex');
        for (let i = 0; i < 40; i++) {
            host.sendEthernet(0, frame);
        }
        host.drain();
        assert.ok(chip.stats.creditFrames > 0);
        // With a window of 1 the host waits for an answer after every frame.
        if (creditWindow === 1) {
            assert.ok(host.stalls - before >= 39, `${host.stalls - before} stalls`);
        } else {
            assert.ok(host.stalls - before <= Math.ceil(40 / creditWindow) + 1, `${host.stalls - before} stalls at window ${creditWindow}`);
        }
        assert.equal(chip.stats.badFrames, 0);
    }
});

test('an ioctl to a firmware that is not up yet is refused with BCME_NOTUP', () => {
    const { host, chip } = upChip();
    chip.firmware.booted = false;
    const reply = host.getVar('cur_etheraddr', 6);
    assert.equal(reply.status, -4);
});
