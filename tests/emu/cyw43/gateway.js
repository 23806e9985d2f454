'use strict';
// The network behind the APs, as the emulated device's lwIP meets it: the
// gateway answers ARP, serves the device the address the air leased
// (DHCP on the device side, so lwIP's own DHCP client runs), answers pings
// to itself, and relays UDP to sockets on this machine's loopback — to the
// same 127.x address when the device talks to one (another device on the
// air), else to 127.0.0.1 (the gateway, the "internet": chrony, a DNS
// server), or where `portMap` says; TCP the same way (tcp.js). Nothing
// leaves 127.0.0.0/8.

const dgram = require('node:dgram');
const net = require('./net');
const { TcpRelay } = require('./tcp');

const { ETHERTYPE, PROTO, DHCP, BROADCAST_MAC } = net;

function isLoopback(ip) {
    return ip.startsWith('127.');
}

function isBroadcastOrMulticast(ip, lease) {
    const first = Number(ip.split('.')[0]);
    if (ip === '255.255.255.255' || (first >= 224 && first <= 239)) {
        return true;
    }
    if (lease === null) {
        return false;
    }
    const mask = net.ipToInt(lease.netmask);
    return ((net.ipToInt(ip) | mask) >>> 0) === 0xffffffff && net.sameSubnet(ip, lease.address, lease.netmask);
}

class StationGateway {
    /**
     * toDevice(ethernet): deliver a frame to the device's station interface; timers: the chip's
     * (simulated time, for TCP's retransmissions).
     * portMap: { "<ip>:<port>" | "*:<port>" | "<ip>:*" : "<host ip>:<port or *>" }: where the
     * device's UDP and TCP to that address go on this machine.
     */
    constructor({ toDevice, timers, portMap = {}, ntpServer = null, leaseSeconds = 7200, log = () => {},
        createSocket = dgram.createSocket }) {
        this.toDevice = toDevice;
        this.portMap = portMap;
        this.ntpServer = ntpServer;
        this.leaseSeconds = leaseSeconds;
        this.log = log;
        this.createSocket = createSocket;
        this.lease = null;
        this.bss = null;
        this.deviceMac = null;
        this.pendingDhcp = [];
        this.relays = new Map();   // "device source port/bound address" -> relay
        this.stats = { arp: 0, dhcp: 0, udpOut: 0, udpIn: 0, icmp: 0, dropped: 0 };
        this.hostname = null;
        this.tcp = new TcpRelay({
            send: (packet) => this.send(this.deviceMac, ETHERTYPE.IPV4, packet),
            target: (dst, port) => this.target(dst, port), timers, log,
        });
    }

    get mac() {
        // The router sits behind the AP: it answers with the AP's BSSID as its MAC.
        return this.bss ? this.bss.bssid : Buffer.from([0x02, 0, 0, 0, 0, 0xfe]);
    }

    linkUp(bss) {
        this.bss = bss;
    }

    linkDown() {
        this.bss = null;
        this.lease = null;
        this.pendingDhcp = [];
        this.closeRelays();
        this.tcp.closeAll();
    }

    setLease({ address, netmask, gateway, dns }) {
        this.lease = { address, netmask, gateway, dns };
        const pending = this.pendingDhcp;
        this.pendingDhcp = [];
        for (const request of pending) {
            this.answerDhcp(request);
        }
    }

    closeRelays() {
        for (const relay of this.relays.values()) {
            relay.socket.close();
        }
        this.relays.clear();
    }

    send(dstMac, type, payload) {
        this.toDevice(net.buildEthernet(dstMac, this.mac, type, payload));
    }

    fromDevice(frame) {
        const eth = net.parseEthernet(frame);
        if (eth === null) {
            return;
        }
        this.deviceMac = Buffer.from(eth.src);
        if (eth.type === ETHERTYPE.ARP) {
            this.onArp(net.parseArp(eth.payload));
        } else if (eth.type === ETHERTYPE.IPV4) {
            const ip = net.parseIpv4(eth.payload);
            if (ip !== null && !ip.fragmented) {
                this.onIpv4(ip);
            } else {
                this.stats.dropped++;
            }
        } else {
            this.stats.dropped++;   // IPv6 and the rest: not routed
        }
    }

    onArp(arp) {
        if (arp === null || arp.op !== 1) {
            return;
        }
        // Not for the device's own address (lwIP probes it after DHCP), not gratuitous.
        if (arp.senderIp === arp.targetIp || arp.senderIp === '0.0.0.0'
            || (this.lease && arp.targetIp === this.lease.address)) {
            return;
        }
        this.stats.arp++;
        this.send(arp.senderMac, ETHERTYPE.ARP, net.buildArp(2, this.mac, arp.targetIp, arp.senderMac, arp.senderIp));
    }

    onIpv4(ip) {
        if (ip.proto === PROTO.UDP) {
            const udp = net.parseUdp(ip);
            if (udp === null) {
                this.stats.dropped++;
                return;
            }
            if (udp.dstPort === 67) {
                this.onDhcp(net.parseDhcp(udp.data));
            } else if (isBroadcastOrMulticast(ip.dst, this.lease)) {
                this.stats.dropped++;   // mDNS and other multicast: netsim has no such medium for frames
            } else {
                this.relayUdp(ip, udp);
            }
        } else if (ip.proto === PROTO.ICMP) {
            this.onIcmp(ip);
        } else if (ip.proto === PROTO.TCP && this.lease !== null && ip.src === this.lease.address) {
            this.tcp.fromDevice(ip);
        } else {
            this.stats.dropped++;
        }
    }

    // ---- DHCP: the air's lease, served to the device ----

    onDhcp(message) {
        if (message === null || message.op !== 1) {
            return;
        }
        this.stats.dhcp++;
        const hostname = message.options.get(12);
        if (hostname) {
            this.hostname = hostname.toString('latin1');
        }
        if (message.type === DHCP.DISCOVER || message.type === DHCP.REQUEST || message.type === DHCP.INFORM) {
            if (this.lease === null) {
                // The air has not leased yet: answer as soon as it does.
                this.pendingDhcp = this.pendingDhcp.filter((m) => m.xid !== message.xid);
                this.pendingDhcp.push(message);
                return;
            }
            this.answerDhcp(message);
        }
    }

    answerDhcp(message) {
        const { lease } = this;
        let type = DHCP.OFFER;
        if (message.type === DHCP.REQUEST) {
            const requested = message.options.get(50);
            const wanted = requested ? net.ipText(requested) : message.ciaddr;
            type = wanted === lease.address ? DHCP.ACK : DHCP.NAK;
        } else if (message.type === DHCP.INFORM) {
            type = DHCP.ACK;
        }
        const options = [[53, Buffer.from([type])], [54, net.ipToBytes(lease.gateway)]];
        if (type !== DHCP.NAK) {
            if (message.type !== DHCP.INFORM) {
                options.push([51, net.u32be(this.leaseSeconds)]);
            }
            options.push([1, net.ipToBytes(lease.netmask)], [3, net.ipToBytes(lease.gateway)], [6, net.ipToBytes(lease.dns)]);
            if (this.ntpServer) {
                options.push([42, net.ipToBytes(this.ntpServer)]);
            }
        }
        const reply = net.buildDhcp({
            op: 2, xid: message.xid, flags: message.flags, chaddr: message.chaddr, ciaddr: message.ciaddr,
            yiaddr: type === DHCP.NAK || message.type === DHCP.INFORM ? '0.0.0.0' : lease.address,
            siaddr: lease.gateway, options,
        });
        const names = { [DHCP.OFFER]: 'OFFER', [DHCP.ACK]: 'ACK', [DHCP.NAK]: 'NAK' };
        this.log(`gateway: DHCP ${names[type]} ${lease.address} (hostname ${this.hostname ?? '-'})`);
        this.send(BROADCAST_MAC, ETHERTYPE.IPV4, net.buildUdp(lease.gateway, 67, '255.255.255.255', 68, reply));
    }

    // ---- ICMP: the gateway answers pings to itself ----

    onIcmp(ip) {
        const icmp = ip.payload;
        if (icmp.length < 8 || icmp[0] !== 8 || this.lease === null || ip.dst !== this.lease.gateway) {
            this.stats.dropped++;
            return;
        }
        this.stats.icmp++;
        const reply = Buffer.from(icmp);
        reply[0] = 0;
        reply.writeUInt16BE(0, 2);
        reply.writeUInt16BE(net.checksum(reply), 2);
        this.send(this.deviceMac, ETHERTYPE.IPV4, net.buildIpv4(ip.dst, ip.src, PROTO.ICMP, reply));
    }

    // ---- UDP relay ----

    /** Where a datagram to dst:port goes on this machine. */
    target(dst, port) {
        for (const key of [`${dst}:${port}`, `*:${port}`, `${dst}:*`]) {
            const to = this.portMap[key];
            if (to !== undefined) {
                const [host, hostPort] = to.split(':');
                return { host, port: hostPort === '*' ? port : Number(hostPort) };
            }
        }
        if (isLoopback(dst) && !(this.lease && dst === this.lease.gateway)) {
            return { host: dst, port };
        }
        return { host: '127.0.0.1', port };
    }

    relayUdp(ip, udp) {
        if (this.lease === null || ip.src !== this.lease.address) {
            this.stats.dropped++;
            return;
        }
        const to = this.target(ip.dst, udp.dstPort);
        // A peer on the air sees the device's own address; the rest of the
        // machine sees the gateway's NAT, 127.0.0.1.
        const from = isLoopback(to.host) && to.host !== '127.0.0.1' ? this.lease.address : '127.0.0.1';
        const relay = this.relayFor(udp.srcPort, isLoopback(from) ? from : '127.0.0.1');
        relay.peers.set(`${to.host}:${to.port}`, { ip: ip.dst, port: udp.dstPort });
        this.stats.udpOut++;
        const send = () => relay.socket.send(udp.data, to.port, to.host, (error) => {
            if (error) {
                this.log(`gateway: UDP to ${to.host}:${to.port} failed: ${error.message}`);
            }
        });
        if (relay.bound) {
            send();
        } else {
            relay.queue.push(send);
        }
    }

    relayFor(devicePort, address) {
        const key = `${devicePort}/${address}`;
        let relay = this.relays.get(key);
        if (relay !== undefined) {
            return relay;
        }
        const socket = this.createSocket('udp4');
        relay = { socket, peers: new Map(), bound: false, queue: [] };
        this.relays.set(key, relay);
        const bound = () => {
            relay.bound = true;
            for (const send of relay.queue.splice(0)) {
                send();
            }
        };
        socket.on('error', (error) => this.log(`gateway: relay socket: ${error.message}`));
        socket.on('message', (data, rinfo) => this.relayBack(devicePort, relay, data, rinfo));
        socket.bind({ address, port: 0 }, bound);
        return relay;
    }

    relayBack(devicePort, relay, data, rinfo) {
        if (this.lease === null || this.deviceMac === null) {
            return;
        }
        const peer = relay.peers.get(`${rinfo.address}:${rinfo.port}`) ?? { ip: rinfo.address, port: rinfo.port };
        this.stats.udpIn++;
        this.send(this.deviceMac, ETHERTYPE.IPV4, net.buildUdp(peer.ip, peer.port, this.lease.address, devicePort, data));
    }
}

/**
 * The stations on our AP, as the device's lwIP meets them: each one that
 * joins asks the device's DHCP server for an address (MicroPython's
 * dhcpserver.c), as a phone would, and answers ARP for it. Their other
 * traffic is not carried: in netsim a station is a host-build device whose
 * sockets live on this machine's loopback.
 */
class ApLan {
    constructor({ toDevice, log = () => {} }) {
        this.toDevice = toDevice;
        this.log = log;
        this.stations = new Map();   // mac text -> { mac, xid, state, address }
        this.isUp = false;
    }

    up() {
        this.isUp = true;
    }

    down() {
        this.isUp = false;
        this.stations.clear();
    }

    stationJoined(mac) {
        const station = { mac: Buffer.from(mac), xid: (Math.random() * 0xffffffff) >>> 0, state: 'discover', address: null };
        this.stations.set(mac.toString('hex'), station);
        this.dhcpSend(station, DHCP.DISCOVER, []);
    }

    stationLeft(mac) {
        this.stations.delete(mac.toString('hex'));
    }

    dhcpSend(station, type, extra) {
        const options = [[53, Buffer.from([type])], [61, Buffer.concat([Buffer.from([1]), station.mac])], ...extra,
            [55, Buffer.from([1, 3, 6])]];
        const message = net.buildDhcp({ op: 1, xid: station.xid, chaddr: station.mac, options });
        this.toDevice(net.buildEthernet(BROADCAST_MAC, station.mac, ETHERTYPE.IPV4,
            net.buildUdp('0.0.0.0', 68, '255.255.255.255', 67, message)));
    }

    fromDevice(frame) {
        const eth = net.parseEthernet(frame);
        if (eth === null) {
            return;
        }
        if (eth.type === ETHERTYPE.ARP) {
            const arp = net.parseArp(eth.payload);
            const station = arp && arp.op === 1 && [...this.stations.values()].find((s) => s.address === arp.targetIp);
            if (station) {
                this.toDevice(net.buildEthernet(arp.senderMac, station.mac, ETHERTYPE.ARP,
                    net.buildArp(2, station.mac, station.address, arp.senderMac, arp.senderIp)));
            }
            return;
        }
        if (eth.type !== ETHERTYPE.IPV4) {
            return;
        }
        const ip = net.parseIpv4(eth.payload);
        const udp = ip && ip.proto === PROTO.UDP ? net.parseUdp(ip) : null;
        if (udp === null || udp.srcPort !== 67 || udp.dstPort !== 68) {
            return;
        }
        const reply = net.parseDhcp(udp.data);
        if (reply === null) {
            return;
        }
        const station = this.stations.get(reply.chaddr.toString('hex'));
        if (station === undefined || reply.xid !== station.xid) {
            return;
        }
        const server = reply.options.get(54);
        if (reply.type === DHCP.OFFER && station.state === 'discover') {
            station.state = 'request';
            this.dhcpSend(station, DHCP.REQUEST, [[50, net.ipToBytes(reply.yiaddr)], ...(server ? [[54, server]] : [])]);
        } else if (reply.type === DHCP.ACK && station.state === 'request') {
            station.state = 'bound';
            station.address = reply.yiaddr;
            this.log(`aplan: station ${net.macText(station.mac)} got ${reply.yiaddr} from the device's DHCP server`);
        }
    }
}

module.exports = { StationGateway, ApLan };
