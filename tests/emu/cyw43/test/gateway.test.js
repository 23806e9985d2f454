'use strict';
// The gateway behind the AP (ARP, DHCP from the air's lease, ICMP, UDP
// relayed to loopback sockets, TCP refused) and the stations on our AP.

const test = require('node:test');
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const net = require('../net');
const { StationGateway, ApLan } = require('../gateway');

const DEVICE = Buffer.from([0x02, 0x4e, 0x4d, 0, 0, 7]);
const BSSID = Buffer.from([0x02, 0, 0, 0, 0, 1]);
const LEASE = { address: '127.77.0.10', netmask: '255.255.255.0', gateway: '127.77.0.1', dns: '127.77.0.1' };

function gateway(options = {}) {
    const out = [];
    const gw = new StationGateway({ toDevice: (frame) => out.push(net.parseEthernet(frame)), ...options });
    gw.linkUp({ bssid: BSSID });
    return { gw, out };
}

function dhcpFromDevice(type, extra = []) {
    const message = net.buildDhcp({ op: 1, xid: 0xabcd, chaddr: DEVICE,
        options: [[53, Buffer.from([type])], [12, Buffer.from('mpy-024e4d000007')], ...extra] });
    return net.buildEthernet(net.BROADCAST_MAC, DEVICE, net.ETHERTYPE.IPV4, net.buildUdp('0.0.0.0', 68, '255.255.255.255', 67, message));
}

function dhcpReply(frame) {
    const ip = net.parseIpv4(frame.payload);
    return net.parseDhcp(net.parseUdp(ip).data);
}

test('DHCP: a DISCOVER before the air has leased waits; the lease answers it, then REQUEST gets ACK', () => {
    const { gw, out } = gateway({ ntpServer: '127.77.0.1' });
    gw.fromDevice(dhcpFromDevice(net.DHCP.DISCOVER));
    assert.equal(out.length, 0);
    gw.setLease(LEASE);
    const offer = dhcpReply(out.shift());
    assert.equal(offer.type, net.DHCP.OFFER);
    assert.equal(offer.yiaddr, '127.77.0.10');
    assert.equal(net.ipText(offer.options.get(3)), '127.77.0.1');
    assert.equal(net.ipText(offer.options.get(6)), '127.77.0.1');
    assert.equal(net.ipText(offer.options.get(42)), '127.77.0.1');
    assert.equal(net.ipText(offer.options.get(54)), '127.77.0.1');
    gw.fromDevice(dhcpFromDevice(net.DHCP.REQUEST, [[50, net.ipToBytes('127.77.0.10')]]));
    assert.equal(dhcpReply(out.shift()).type, net.DHCP.ACK);
    gw.fromDevice(dhcpFromDevice(net.DHCP.REQUEST, [[50, net.ipToBytes('127.77.0.99')]]));
    assert.equal(dhcpReply(out.shift()).type, net.DHCP.NAK);
    assert.equal(gw.hostname, 'mpy-024e4d000007');
});

test('ARP: the gateway answers for others, never for the device\'s own address or a probe', () => {
    const { gw, out } = gateway();
    gw.setLease(LEASE);
    const ask = (sender, target) => gw.fromDevice(net.buildEthernet(net.BROADCAST_MAC, DEVICE, net.ETHERTYPE.ARP,
        net.buildArp(1, DEVICE, sender, Buffer.alloc(6), target)));
    ask('127.77.0.10', '127.77.0.1');
    const reply = net.parseArp(out.shift().payload);
    assert.equal(reply.op, 2);
    assert.equal(reply.senderIp, '127.77.0.1');
    assert.deepEqual(reply.senderMac, BSSID);
    ask('0.0.0.0', '127.77.0.10');
    ask('127.77.0.10', '127.77.0.10');
    assert.equal(out.length, 0);
});

test('ICMP echo to the gateway is answered', () => {
    const { gw, out } = gateway();
    gw.setLease(LEASE);
    gw.deviceMac = DEVICE;
    const echo = Buffer.from('0800000012340001' + '61'.repeat(16), 'hex');
    echo.writeUInt16BE(net.checksum(echo), 2);
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4, net.buildIpv4('127.77.0.10', '127.77.0.1', net.PROTO.ICMP, echo)));
    const ip = net.parseIpv4(out.shift().payload);
    assert.equal(ip.payload[0], 0);
    assert.equal(net.checksum(ip.payload), 0);
});

test('UDP to the gateway is relayed to 127.0.0.1 and the answer comes back from the gateway\'s address', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise((resolve) => server.bind(0, '127.0.0.1', resolve));
    const port = server.address().port;
    server.on('message', (msg, rinfo) => server.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    const { gw, out } = gateway({ portMap: { [`127.77.0.1:53`]: `127.0.0.1:${port}` } });
    gw.setLease(LEASE);
    gw.deviceMac = DEVICE;
    const reply = new Promise((resolve) => {
        const original = gw.toDevice;
        gw.toDevice = (frame) => {
            original(frame);
            resolve();
        };
    });
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4, net.buildUdp('127.77.0.10', 40000, '127.77.0.1', 53, Buffer.from('query'))));
    await reply;
    const ip = net.parseIpv4(out.shift().payload);
    const udp = net.parseUdp(ip);
    assert.equal(ip.src, '127.77.0.1');
    assert.equal(udp.srcPort, 53);
    assert.equal(udp.dstPort, 40000);
    assert.equal(udp.data.toString(), 'echo:query');
    assert.equal(gw.stats.udpOut, 1);
    assert.deepEqual([...gw.relays.keys()], ['40000/127.0.0.1'], 'the gateway NATs to 127.0.0.1');
    gw.linkDown();
    server.close();
});

test('UDP to a peer on the air comes from the device\'s own address', async () => {
    const peer = dgram.createSocket('udp4');
    await new Promise((resolve) => peer.bind(0, '127.77.0.11', resolve));
    const got = new Promise((resolve) => peer.once('message', (msg, rinfo) => resolve([msg.toString(), rinfo.address])));
    const { gw } = gateway();
    gw.setLease(LEASE);
    gw.deviceMac = DEVICE;
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4,
        net.buildUdp('127.77.0.10', 40001, '127.77.0.11', peer.address().port, Buffer.from('hi peer'))));
    assert.deepEqual(await got, ['hi peer', '127.77.0.10']);
    gw.linkDown();
    peer.close();
});

test('relay targets: a peer on the loopback keeps its address, the rest goes to 127.0.0.1, portMap wins', () => {
    const { gw } = gateway({ portMap: { '*:53': '127.0.0.1:5353', '10.0.0.1:*': '127.0.0.2:*' } });
    gw.setLease(LEASE);
    assert.deepEqual(gw.target('127.77.0.11', 5000), { host: '127.77.0.11', port: 5000 });
    assert.deepEqual(gw.target('127.77.0.1', 123), { host: '127.0.0.1', port: 123 });
    assert.deepEqual(gw.target('203.0.113.5', 123), { host: '127.0.0.1', port: 123 });
    assert.deepEqual(gw.target('8.8.8.8', 53), { host: '127.0.0.1', port: 5353 });
    assert.deepEqual(gw.target('10.0.0.1', 7), { host: '127.0.0.2', port: 7 });
});

test('multicast and broadcast UDP (mDNS) is not carried; neither is UDP before the lease', () => {
    const { gw, out } = gateway();
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4, net.buildUdp('127.77.0.10', 5353, '127.77.0.1', 53, Buffer.from('x'))));
    gw.setLease(LEASE);
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4, net.buildUdp('127.77.0.10', 5353, '224.0.0.251', 5353, Buffer.from('x'))));
    gw.fromDevice(net.buildEthernet(BSSID, DEVICE, net.ETHERTYPE.IPV4, net.buildUdp('127.77.0.10', 5353, '127.77.0.255', 9, Buffer.from('x'))));
    assert.equal(out.length, 0);
    assert.equal(gw.stats.dropped, 3);
    assert.equal(gw.relays.size, 0);
});

/** MicroPython's shared/netutils/dhcpserver.c, in miniature: option 53 must come first. */
function deviceDhcpServer(frame, leases) {
    const eth = net.parseEthernet(frame);
    const udp = net.parseUdp(net.parseIpv4(eth.payload));
    if (udp.data[240] !== 53) {
        return null;
    }
    const message = net.parseDhcp(udp.data);
    const mac = message.chaddr.toString('hex');
    let type;
    let address;
    if (message.type === net.DHCP.DISCOVER) {
        address = `192.168.4.${16 + Object.keys(leases).length}`;
        type = net.DHCP.OFFER;
    } else if (message.type === net.DHCP.REQUEST) {
        address = net.ipText(message.options.get(50));
        leases[mac] = address;
        type = net.DHCP.ACK;
    }
    const reply = net.buildDhcp({ op: 2, xid: message.xid, chaddr: message.chaddr, yiaddr: address,
        options: [[53, Buffer.from([type])], [54, net.ipToBytes('192.168.4.1')]] });
    return net.buildEthernet(net.BROADCAST_MAC, Buffer.from([0x02, 0x4e, 0x4d, 0, 0, 7]), net.ETHERTYPE.IPV4,
        net.buildUdp('192.168.4.1', 67, '255.255.255.255', 68, reply));
}

test('a station joining our AP asks the device\'s DHCP server for an address, then answers ARP for it', () => {
    const leases = {};
    const toServer = [];
    const lan = new ApLan({ toDevice: (frame) => toServer.push(frame) });
    lan.up();
    const station = Buffer.from([0x02, 0x4e, 0x4d, 0, 0, 9]);
    lan.stationJoined(station);
    for (let i = 0; i < 4 && toServer.length; i++) {
        const reply = deviceDhcpServer(toServer.shift(), leases);
        if (reply) {
            lan.fromDevice(reply);
        }
    }
    assert.deepEqual(leases, { '024e4d000009': '192.168.4.16' });
    lan.fromDevice(net.buildEthernet(net.BROADCAST_MAC, DEVICE, net.ETHERTYPE.ARP,
        net.buildArp(1, DEVICE, '192.168.4.1', Buffer.alloc(6), '192.168.4.16')));
    const arp = net.parseArp(net.parseEthernet(toServer.shift()).payload);
    assert.deepEqual(arp.senderMac, station);
    assert.equal(arp.senderIp, '192.168.4.16');
});
