'use strict';
// Ethernet, ARP, IPv4, UDP, ICMP and DHCP: just what the chip model's
// gateway needs to talk to the device's lwIP.

const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd };
const PROTO = { ICMP: 1, TCP: 6, UDP: 17 };
const BROADCAST_MAC = Buffer.alloc(6, 0xff);

function ipToBytes(text) {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
        throw new Error(`${text} is not an IPv4 address`);
    }
    return Buffer.from(parts);
}

function ipText(bytes, offset = 0) {
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

function macText(mac) {
    return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function ipToInt(text) {
    return ipToBytes(text).readUInt32BE(0);
}

function sameSubnet(a, b, netmask) {
    const mask = ipToInt(netmask);
    return ((ipToInt(a) & mask) >>> 0) === ((ipToInt(b) & mask) >>> 0);
}

function parseEthernet(frame) {
    if (frame.length < 14) {
        return null;
    }
    return { dst: frame.subarray(0, 6), src: frame.subarray(6, 12), type: frame.readUInt16BE(12), payload: frame.subarray(14) };
}

function buildEthernet(dst, src, type, payload) {
    const frame = Buffer.alloc(14 + payload.length);
    dst.copy(frame, 0);
    src.copy(frame, 6);
    frame.writeUInt16BE(type, 12);
    payload.copy(frame, 14);
    return frame;
}

function parseArp(payload) {
    if (payload.length < 28 || payload.readUInt16BE(0) !== 1 || payload.readUInt16BE(2) !== ETHERTYPE.IPV4) {
        return null;
    }
    return {
        op: payload.readUInt16BE(6),
        senderMac: payload.subarray(8, 14), senderIp: ipText(payload, 14),
        targetMac: payload.subarray(18, 24), targetIp: ipText(payload, 24),
    };
}

function buildArp(op, senderMac, senderIp, targetMac, targetIp) {
    const arp = Buffer.alloc(28);
    arp.writeUInt16BE(1, 0);
    arp.writeUInt16BE(ETHERTYPE.IPV4, 2);
    arp[4] = 6;
    arp[5] = 4;
    arp.writeUInt16BE(op, 6);
    senderMac.copy(arp, 8);
    ipToBytes(senderIp).copy(arp, 14);
    targetMac.copy(arp, 18);
    ipToBytes(targetIp).copy(arp, 24);
    return arp;
}

/** The Internet checksum of `bytes` (ones' complement sum of 16-bit words), with `initial` added. */
function checksum(bytes, initial = 0) {
    let sum = initial;
    for (let i = 0; i + 1 < bytes.length; i += 2) {
        sum += bytes.readUInt16BE(i);
    }
    if (bytes.length & 1) {
        sum += bytes[bytes.length - 1] << 8;
    }
    while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (~sum) & 0xffff;
}

function parseIpv4(payload) {
    if (payload.length < 20 || payload[0] >> 4 !== 4) {
        return null;
    }
    const headerLength = (payload[0] & 0xf) * 4;
    const total = payload.readUInt16BE(2);
    if (headerLength < 20 || total < headerLength || total > payload.length) {
        return null;
    }
    if (checksum(payload.subarray(0, headerLength)) !== 0) {
        return null;
    }
    const flags = payload.readUInt16BE(6);
    return {
        id: payload.readUInt16BE(4),
        fragmented: (flags & 0x2000) !== 0 || (flags & 0x1fff) !== 0,
        ttl: payload[8], proto: payload[9],
        src: ipText(payload, 12), dst: ipText(payload, 16),
        payload: payload.subarray(headerLength, total),
    };
}

let nextIpId = 1;

function buildIpv4(src, dst, proto, payload, ttl = 64) {
    const packet = Buffer.alloc(20 + payload.length);
    packet[0] = 0x45;
    packet.writeUInt16BE(packet.length, 2);
    packet.writeUInt16BE(nextIpId++ & 0xffff, 4);
    packet.writeUInt16BE(0x4000, 6);              // don't fragment
    packet[8] = ttl;
    packet[9] = proto;
    ipToBytes(src).copy(packet, 12);
    ipToBytes(dst).copy(packet, 16);
    packet.writeUInt16BE(checksum(packet.subarray(0, 20)), 10);
    payload.copy(packet, 20);
    return packet;
}

function pseudoHeaderSum(src, dst, proto, length) {
    const pseudo = Buffer.alloc(12);
    ipToBytes(src).copy(pseudo, 0);
    ipToBytes(dst).copy(pseudo, 4);
    pseudo[9] = proto;
    pseudo.writeUInt16BE(length, 10);
    return (~checksum(pseudo)) & 0xffff;
}

function parseUdp(ip) {
    const p = ip.payload;
    if (p.length < 8) {
        return null;
    }
    const length = p.readUInt16BE(4);
    if (length < 8 || length > p.length) {
        return null;
    }
    if (p.readUInt16BE(6) !== 0 && checksum(p.subarray(0, length), pseudoHeaderSum(ip.src, ip.dst, PROTO.UDP, length)) !== 0) {
        return null;
    }
    return { srcPort: p.readUInt16BE(0), dstPort: p.readUInt16BE(2), data: p.subarray(8, length) };
}

function buildUdp(src, srcPort, dst, dstPort, data) {
    const udp = Buffer.alloc(8 + data.length);
    udp.writeUInt16BE(srcPort, 0);
    udp.writeUInt16BE(dstPort, 2);
    udp.writeUInt16BE(udp.length, 4);
    data.copy(udp, 8);
    const sum = checksum(udp, pseudoHeaderSum(src, dst, PROTO.UDP, udp.length));
    udp.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
    return buildIpv4(src, dst, PROTO.UDP, udp);
}

// ---- DHCP (RFC 2131) ----

const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 };
const DHCP_MAGIC = 0x63825363;

function parseDhcp(data) {
    if (data.length < 240 || data.readUInt32BE(236) !== DHCP_MAGIC) {
        return null;
    }
    const options = new Map();
    for (let i = 240; i < data.length;) {
        const code = data[i];
        if (code === 255) {
            break;
        }
        if (code === 0) {
            i++;
            continue;
        }
        if (i + 1 >= data.length || i + 2 + data[i + 1] > data.length) {
            return null;
        }
        options.set(code, data.subarray(i + 2, i + 2 + data[i + 1]));
        i += 2 + data[i + 1];
    }
    const type = options.get(53);
    return {
        op: data[0], xid: data.readUInt32BE(4), flags: data.readUInt16BE(10),
        ciaddr: ipText(data, 12), yiaddr: ipText(data, 16), chaddr: data.subarray(28, 34),
        type: type ? type[0] : 0, options,
    };
}

/** A DHCP message; `options` is [[code, Buffer], ...], option 53 first (MicroPython's server needs it there). */
function buildDhcp({ op, xid, flags = 0, ciaddr = '0.0.0.0', yiaddr = '0.0.0.0', siaddr = '0.0.0.0', chaddr, options }) {
    const body = Buffer.alloc(240);
    body[0] = op;
    body[1] = 1;
    body[2] = 6;
    body.writeUInt32BE(xid >>> 0, 4);
    body.writeUInt16BE(flags, 10);
    ipToBytes(ciaddr).copy(body, 12);
    ipToBytes(yiaddr).copy(body, 16);
    ipToBytes(siaddr).copy(body, 20);
    chaddr.copy(body, 28);
    body.writeUInt32BE(DHCP_MAGIC, 236);
    const parts = [body];
    for (const [code, value] of options) {
        parts.push(Buffer.from([code, value.length]), value);
    }
    parts.push(Buffer.from([255]));
    const message = Buffer.concat(parts);
    // Pad to the BOOTP minimum of 300 bytes.
    return message.length < 300 ? Buffer.concat([message, Buffer.alloc(300 - message.length)]) : message;
}

function u32be(value) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(value >>> 0, 0);
    return out;
}

module.exports = {
    ETHERTYPE, PROTO, BROADCAST_MAC, DHCP, ipToBytes, ipText, macText, ipToInt, sameSubnet, parseEthernet, buildEthernet,
    parseArp, buildArp, checksum, parseIpv4, buildIpv4, pseudoHeaderSum, parseUdp, buildUdp, parseDhcp, buildDhcp, u32be,
};
