'use strict';
// The chip on a real netsim air (tools/netsim, python3): the protocol both sides speak, end to
// end, without the emulator — a join with its DHCP lease, a scan, our AP with a station.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Cyw43 } = require('../chip');
const { AirLink, startAir } = require('../netsim');
const { EV } = require('../events');
const { FakeClock, HostDriver } = require('./helpers');

const SCENARIO = '[air]\nconnect_ms = 5\ndhcp_ms = 5\n[[ap]]\nssid = "home"\npsk = "secret123"\nchannel = 6\nrssi = -55\n';
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };

async function chipOnAir(air) {
    const link = new AirLink({ path: air.path, name: 'unit' });
    const mac = await link.connect();
    const clock = new FakeClock();
    const chip = new Cyw43({ clock, air: link, mac });
    link.onMessage = (type, fields) => chip.fromAir(type, fields);
    chip.powerOn();
    const host = new HostDriver(chip, clock);
    assert.deepEqual(host.busInit(), []);
    host.ioctl(2, true, Buffer.alloc(0));
    return { link, chip, host, clock, mac };
}

/** Let the air's answers in (wall time) and the chip act on them (simulated time). */
async function until(host, clock, done, what) {
    for (let i = 0; i < 300; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        clock.advance(1);
        host.drain();
        if (done()) {
            return;
        }
    }
    assert.fail(`not within 3 s: ${what}`);
}

test('on a real air: a join with its lease, a scan, our AP with a station joining it', async () => {
    const air = await startAir({ scenario: SCENARIO });
    const { link, chip, host, clock } = await chipOnAir(air);
    try {
        const pmk = Buffer.alloc(68);
        pmk.writeUInt16LE(9, 0);
        Buffer.from('secret123').copy(pmk, 4);
        host.ioctl(134, true, u32(4));
        host.ioctl(268, true, pmk);
        host.ioctl(165, true, u32(0x80));
        const ssid = Buffer.alloc(36);
        ssid.writeUInt32LE(4, 0);
        ssid.write('home', 4);
        host.ioctl(26, true, ssid);
        await until(host, clock, () => chip.firmware.link.linked && chip.gateway.lease !== null, 'associated with a lease');
        assert.ok(host.events.some((e) => e.type === EV.PSK_SUP && e.status === 6));
        assert.match(chip.gateway.lease.address, /^127\.77\.0\.\d+$/);

        const escan = Buffer.alloc(76);
        escan.writeUInt16LE(1, 4);
        Buffer.alloc(6, 0xff).copy(escan, 44);
        escan.writeInt32LE(20, 56);
        host.events = [];
        host.setVar('escan', escan);
        await until(host, clock, () => host.events.some((e) => e.type === EV.ESCAN_RESULT && e.status === 0), 'the scan ending');
        assert.deepEqual(host.events.filter((e) => e.status === 8).map((e) => e.scan.ssid.toString()), ['home']);

        const apSsid = Buffer.alloc(40);
        apSsid.writeUInt32LE(1, 0);
        apSsid.writeUInt32LE(6, 4);
        apSsid.write('unitap', 8);
        host.setVar('bsscfg:ssid', apSsid);
        host.setVar('bss', Buffer.concat([u32(1), u32(1)]));
        await until(host, clock, () => air.lines.some((l) => l.includes('ap_started') && l.includes('unitap')), 'our AP on the air');
        const phone = new AirLink({ path: air.path, name: 'phone' });
        await phone.connect();
        host.events = [];
        phone.send('sta_connect', { ssid: Buffer.from('unitap'), psk: Buffer.alloc(0) });
        await until(host, clock, () => host.events.some((e) => e.type === EV.ASSOC_IND), 'the station joining');
        assert.deepEqual(host.events.find((e) => e.type === EV.ASSOC_IND).addr, phone.mac);
        phone.close();
    } finally {
        chip.powerOff();
        link.close();
        air.close();
    }
});
