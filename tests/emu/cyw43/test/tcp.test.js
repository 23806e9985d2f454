'use strict';
// TCP through the gateway, against a real server on 127.0.0.1, with the device played by the test.

const test = require('node:test');
const assert = require('node:assert/strict');
const netSocket = require('node:net');
const net = require('../net');
const { StationGateway } = require('../gateway');
const { Timers } = require('../chip');
const { buildTcp, parseTcp, FLAG } = require('../tcp');
const { FakeClock } = require('./helpers');

const DEVICE = Buffer.from([0x02, 0x4e, 0x4d, 0, 0, 7]);
const BSSID = Buffer.from([0x02, 0, 0, 0, 0, 1]);
const LEASE = { address: '127.77.0.10', netmask: '255.255.255.0', gateway: '127.77.0.1', dns: '127.77.0.1' };

/** The device: sends segments, collects what comes back. */
function device(portMap = {}) {
    const clock = new FakeClock();
    const segments = [];
    let wake = null;
    const gw = new StationGateway({
        toDevice: (frame) => {
            const ip = net.parseIpv4(net.parseEthernet(frame).payload);
            segments.push({ ip, tcp: parseTcp(ip) });
            wake?.();
        },
        timers: new Timers(clock), portMap,
    });
    gw.linkUp({ bssid: BSSID });
    gw.setLease(LEASE);
    gw.deviceMac = DEVICE;
    const send = (fields) => gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4,
        buildTcp({ src: '127.77.0.10', srcPort: 40000, dst: '203.0.113.9', window: 4096, ...fields })));
    const next = async (what) => {
        for (let i = 0; i < 200 && segments.length === 0; i++) {
            await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 10); });
        }
        assert.ok(segments.length, `no segment: ${what}`);
        return segments.shift();
    };
    return { gw, clock, send, next, segments };
}

async function echoServer(onConnection) {
    const server = netSocket.createServer(onConnection);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
}

test('a connection the device opens: handshake once the server answers, data both ways, FIN both ways', async () => {
    const server = await echoServer((socket) => socket.on('data', (d) => socket.end(Buffer.concat([Buffer.from('echo:'), d]))));
    const port = server.address().port;
    const { gw, send, next } = device();
    send({ dstPort: port, seq: 1000, ack: 0, flags: FLAG.SYN, mss: 536 });
    const synAck = await next('SYN-ACK');
    assert.equal(synAck.tcp.flags, FLAG.SYN | FLAG.ACK);
    assert.equal(synAck.tcp.ack, 1001);
    assert.equal(synAck.ip.src, '203.0.113.9');
    let ours = (synAck.tcp.seq + 1) >>> 0;
    send({ dstPort: port, seq: 1001, ack: ours, flags: FLAG.ACK });
    send({ dstPort: port, seq: 1001, ack: ours, flags: FLAG.ACK | FLAG.PSH, data: Buffer.from('hello') });
    const ack = await next('ACK of the data');
    assert.equal(ack.tcp.ack, 1006);
    const data = await next('the echo');
    assert.equal(data.tcp.data.toString(), 'echo:hello');
    assert.equal(data.tcp.seq, ours);
    ours = (ours + data.tcp.data.length) >>> 0;
    send({ dstPort: port, seq: 1006, ack: ours, flags: FLAG.ACK });
    const fin = await next('FIN from the server side');
    assert.equal(fin.tcp.flags & FLAG.FIN, FLAG.FIN);
    send({ dstPort: port, seq: 1006, ack: (ours + 1) >>> 0, flags: FLAG.ACK | FLAG.FIN });
    const last = await next('ACK of our FIN');
    assert.equal(last.tcp.ack, 1007);
    assert.equal(gw.tcp.connections.size, 0);
    assert.equal(gw.tcp.stats.bytesOut, 5);
    server.close();
});

test('a connection to a port nobody listens on is refused with a reset; a stray segment is reset', async () => {
    const server = await echoServer(() => {});
    const port = server.address().port;
    await new Promise((resolve) => server.close(resolve));
    const { send, next } = device();
    send({ dstPort: port, seq: 5, ack: 0, flags: FLAG.SYN });
    const rst = await next('the reset');
    assert.equal(rst.tcp.flags, FLAG.RST | FLAG.ACK);
    assert.equal(rst.tcp.ack, 6);
    send({ dstPort: port, seq: 9, ack: 77, flags: FLAG.ACK, data: Buffer.from('x') });
    const stray = await next('the reset of a stray segment');
    assert.equal(stray.tcp.flags, FLAG.RST);
    assert.equal(stray.tcp.seq, 77);
});

test('data beyond the window waits for acknowledgements; unacknowledged data is sent again after the timeout', async () => {
    const big = Buffer.alloc(3000, 0x41);
    const server = await echoServer((socket) => socket.write(big));
    const port = server.address().port;
    const { gw, clock, send, next, segments } = device();
    send({ dstPort: port, seq: 1, ack: 0, flags: FLAG.SYN, mss: 536 });
    const synAck = await next('SYN-ACK');
    const base = (synAck.tcp.seq + 1) >>> 0;
    // The device's window is 1000 bytes: two segments (536 + 464), then nothing until an ACK.
    send({ dstPort: port, seq: 2, ack: base, flags: FLAG.ACK, window: 1000 });
    const first = await next('first segment');
    const second = await next('second segment');
    assert.deepEqual([first.tcp.data.length, second.tcp.data.length], [536, 464]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(segments.length, 0, 'the window is full');
    clock.advance(300);   // no ACK: the retransmission timeout
    const again = [await next('the first segment again'), await next('the second again')];
    assert.deepEqual(again.map((seg) => seg.tcp.seq), [base, (base + 536) >>> 0]);
    send({ dstPort: port, seq: 2, ack: (base + 1000) >>> 0, flags: FLAG.ACK, window: 4000 });
    const more = await next('the rest');
    assert.equal(more.tcp.seq, (base + 1000) >>> 0);
    gw.linkDown();
    server.close();
});
