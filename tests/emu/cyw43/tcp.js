'use strict';
// TCP through the gateway: the device's connections end here and go on as sockets on this
// machine's loopback (the gateway chooses where, as for UDP). A connection is accepted (SYN-ACK)
// once the socket on this side is connected, refused with a reset if it cannot be; data is
// acknowledged as it comes in order and sent on within the device's window and MSS; what the
// device does not acknowledge is sent again after `rtoMs` of simulated time; FIN and RST are
// passed both ways. Only the device opens connections.

const netSocket = require('node:net');
const net = require('./net');

const FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };
const OUR_WINDOW = 65535;
const OUR_MSS = 1460;

function parseTcp(ip) {
    const p = ip.payload;
    if (p.length < 20) {
        return null;
    }
    const headerLength = (p[12] >> 4) * 4;
    if (headerLength < 20 || headerLength > p.length
        || net.checksum(p, net.pseudoHeaderSum(ip.src, ip.dst, net.PROTO.TCP, p.length)) !== 0) {
        return null;
    }
    let mss = 536;
    for (let i = 20; i < headerLength;) {
        const kind = p[i];
        if (kind === 0) {
            break;
        }
        if (kind === 1) {
            i++;
            continue;
        }
        if (kind === 2 && p[i + 1] === 4) {
            mss = p.readUInt16BE(i + 2);
        }
        i += Math.max(2, p[i + 1]);
    }
    return {
        srcPort: p.readUInt16BE(0), dstPort: p.readUInt16BE(2), seq: p.readUInt32BE(4), ack: p.readUInt32BE(8),
        flags: p[13], window: p.readUInt16BE(14), mss, data: p.subarray(headerLength),
    };
}

function buildTcp({ src, srcPort, dst, dstPort, seq, ack, flags, window = OUR_WINDOW, data = Buffer.alloc(0), mss = null }) {
    const options = mss === null ? Buffer.alloc(0) : Buffer.from([2, 4, mss >> 8, mss & 0xff]);
    const segment = Buffer.alloc(20 + options.length + data.length);
    segment.writeUInt16BE(srcPort, 0);
    segment.writeUInt16BE(dstPort, 2);
    segment.writeUInt32BE(seq >>> 0, 4);
    segment.writeUInt32BE(ack >>> 0, 8);
    segment[12] = ((20 + options.length) / 4) << 4;
    segment[13] = flags;
    segment.writeUInt16BE(window, 14);
    options.copy(segment, 20);
    data.copy(segment, 20 + options.length);
    segment.writeUInt16BE(net.checksum(segment, net.pseudoHeaderSum(src, dst, net.PROTO.TCP, segment.length)), 16);
    return net.buildIpv4(src, dst, net.PROTO.TCP, segment);
}

/** seq a is after b, modulo 2^32. */
function after(a, b) {
    return ((a - b) | 0) > 0;
}

class TcpRelay {
    /**
     * send(ipPacket): to the device; target(ip, port) → { host, port } on this machine;
     * timers: { after(ms, fn) } on simulated time.
     */
    constructor({ send, target, timers, rtoMs = 300, connect = netSocket.createConnection, log = () => {} }) {
        this.send = send;
        this.target = target;
        this.timers = timers;
        this.rtoMs = rtoMs;
        this.connect = connect;
        this.log = log;
        this.connections = new Map();
        this.stats = { opened: 0, refused: 0, bytesOut: 0, bytesIn: 0, resets: 0, retransmits: 0 };
    }

    closeAll() {
        for (const conn of this.connections.values()) {
            conn.socket.destroy();
            conn.timer?.cancel();
        }
        this.connections.clear();
    }

    reply(conn, flags, { data = Buffer.alloc(0), seq = conn.ourNext, mss = null } = {}) {
        this.send(buildTcp({ src: conn.dstIp, srcPort: conn.dstPort, dst: conn.devIp, dstPort: conn.devPort, seq,
            ack: conn.devNext, flags, data, mss }));
    }

    /** A reset for a segment that belongs to no connection (RFC 793's rules). */
    resetFor(ip, tcp) {
        if (tcp.flags & FLAG.RST) {
            return;
        }
        this.stats.resets++;
        const length = tcp.data.length + (tcp.flags & FLAG.SYN ? 1 : 0) + (tcp.flags & FLAG.FIN ? 1 : 0);
        const base = { src: ip.dst, srcPort: tcp.dstPort, dst: ip.src, dstPort: tcp.srcPort };
        this.send(tcp.flags & FLAG.ACK ? buildTcp({ ...base, seq: tcp.ack, ack: 0, flags: FLAG.RST })
            : buildTcp({ ...base, seq: 0, ack: (tcp.seq + length) >>> 0, flags: FLAG.RST | FLAG.ACK }));
    }

    fromDevice(ip) {
        const tcp = parseTcp(ip);
        if (tcp === null) {
            return;
        }
        const key = `${ip.src}:${tcp.srcPort}>${ip.dst}:${tcp.dstPort}`;
        const conn = this.connections.get(key);
        if (conn === undefined) {
            if ((tcp.flags & (FLAG.SYN | FLAG.ACK | FLAG.RST)) === FLAG.SYN) {
                this.open(key, ip, tcp);
            } else {
                this.resetFor(ip, tcp);
            }
            return;
        }
        if (tcp.flags & FLAG.RST) {
            this.drop(conn, 'the device reset it');
            return;
        }
        if (tcp.flags & FLAG.SYN) {
            if (conn.state === 'established' || conn.state === 'syn-received') {
                this.reply(conn, FLAG.SYN | FLAG.ACK, { seq: conn.ourIsn, mss: OUR_MSS });   // our SYN-ACK was lost
            }
            return;
        }
        if (tcp.flags & FLAG.ACK) {
            this.acknowledged(conn, tcp);
        }
        const length = tcp.data.length + (tcp.flags & FLAG.FIN ? 1 : 0);
        if (length === 0) {
            return;
        }
        if (tcp.seq !== conn.devNext) {
            this.reply(conn, FLAG.ACK);   // out of order or again: say what we have
            return;
        }
        if (tcp.data.length > 0) {
            conn.devNext = (conn.devNext + tcp.data.length) >>> 0;
            this.stats.bytesOut += tcp.data.length;
            conn.socket.write(Buffer.from(tcp.data));
        }
        if (tcp.flags & FLAG.FIN) {
            conn.devNext = (conn.devNext + 1) >>> 0;
            conn.deviceClosed = true;
            conn.socket.end();
        }
        this.reply(conn, FLAG.ACK);
        this.finishIfDone(conn);
    }

    open(key, ip, tcp) {
        const to = this.target(ip.dst, tcp.dstPort);
        const conn = {
            key, devIp: ip.src, devPort: tcp.srcPort, dstIp: ip.dst, dstPort: tcp.dstPort,
            devNext: (tcp.seq + 1) >>> 0, devWindow: tcp.window, devMss: Math.min(tcp.mss, OUR_MSS),
            ourIsn: (Math.random() * 0xffffffff) >>> 0, state: 'connecting', pending: Buffer.alloc(0),
            deviceClosed: false, hostClosed: false, finSent: false, timer: null,
        };
        conn.ourNext = (conn.ourIsn + 1) >>> 0;
        conn.devAcked = conn.ourIsn;
        this.connections.set(key, conn);
        const socket = this.connect({ host: to.host, port: to.port });
        conn.socket = socket;
        socket.on('connect', () => {
            if (this.connections.get(key) !== conn) {
                return;
            }
            conn.state = 'syn-received';
            this.stats.opened++;
            this.reply(conn, FLAG.SYN | FLAG.ACK, { seq: conn.ourIsn, mss: OUR_MSS });
            this.arm(conn);
        });
        socket.on('data', (data) => {
            conn.pending = Buffer.concat([conn.pending, data]);
            this.stats.bytesIn += data.length;
            this.pump(conn);
        });
        socket.on('end', () => {
            conn.hostClosed = true;
            this.pump(conn);
        });
        socket.on('error', (error) => {
            if (conn.state === 'connecting') {
                this.stats.refused++;
                this.log(`gateway: TCP to ${to.host}:${to.port} refused (${error.code || error.message})`);
                this.connections.delete(key);
                this.resetFor(ip, tcp);
            } else if (this.connections.get(key) === conn) {
                this.reply(conn, FLAG.RST | FLAG.ACK);
                this.drop(conn, error.message);
            }
        });
    }

    acknowledged(conn, tcp) {
        if (conn.state === 'syn-received' && tcp.ack === conn.ourNext) {
            conn.state = 'established';
            conn.devAcked = conn.ourNext;
        }
        conn.devWindow = tcp.window;
        if (after(tcp.ack, conn.devAcked) && !after(tcp.ack, conn.ourNext)) {
            const newly = (tcp.ack - conn.devAcked) >>> 0;
            conn.pending = conn.pending.subarray(Math.min(newly, conn.inFlight || 0));
            conn.inFlight = Math.max(0, (conn.inFlight || 0) - newly);
            conn.devAcked = tcp.ack;
        }
        this.pump(conn);
        this.finishIfDone(conn);
    }

    /** Send what the window allows. `pending` holds the unacknowledged bytes first, then the rest. */
    pump(conn) {
        if (conn.state !== 'established') {
            return;
        }
        conn.inFlight = conn.inFlight || 0;
        while (conn.inFlight < conn.pending.length && conn.inFlight < conn.devWindow) {
            const length = Math.min(conn.devMss, conn.pending.length - conn.inFlight, conn.devWindow - conn.inFlight);
            const data = conn.pending.subarray(conn.inFlight, conn.inFlight + length);
            this.reply(conn, FLAG.ACK | FLAG.PSH, { data, seq: (conn.devAcked + conn.inFlight) >>> 0 });
            conn.inFlight += length;
            conn.ourNext = (conn.devAcked + conn.inFlight) >>> 0;
        }
        if (conn.hostClosed && !conn.finSent && conn.pending.length === 0) {
            conn.finSent = true;
            this.reply(conn, FLAG.FIN | FLAG.ACK);
            conn.ourNext = (conn.ourNext + 1) >>> 0;
        }
        this.arm(conn);
    }

    /** Send again what the device has not acknowledged, after the retransmission timeout. */
    arm(conn) {
        conn.timer?.cancel();
        const unacked = conn.state === 'syn-received' || conn.inFlight > 0 || (conn.finSent && conn.devAcked !== conn.ourNext);
        if (!unacked || this.connections.get(conn.key) !== conn) {
            conn.timer = null;
            return;
        }
        conn.timer = this.timers.after(this.rtoMs, () => {
            this.stats.retransmits++;
            if (conn.state === 'syn-received') {
                this.reply(conn, FLAG.SYN | FLAG.ACK, { seq: conn.ourIsn, mss: OUR_MSS });
            } else if (conn.inFlight > 0) {
                conn.inFlight = 0;
                conn.ourNext = conn.devAcked;
                this.pump(conn);
                return;
            } else {
                this.reply(conn, FLAG.FIN | FLAG.ACK, { seq: (conn.ourNext - 1) >>> 0 });
            }
            this.arm(conn);
        });
    }

    finishIfDone(conn) {
        if (conn.deviceClosed && conn.finSent && conn.devAcked === conn.ourNext) {
            this.drop(conn, null);
        }
    }

    drop(conn, why) {
        if (why) {
            this.log(`gateway: TCP ${conn.key} ends: ${why}`);
        }
        conn.timer?.cancel();
        conn.socket.destroy();
        this.connections.delete(conn.key);
    }
}

module.exports = { TcpRelay, parseTcp, buildTcp, FLAG };
