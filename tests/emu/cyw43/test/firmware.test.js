'use strict';
// The firmware's answers and events, read back as cyw43_ctrl.c's
// cyw43_cb_process_async_event would act on them.

const test = require('node:test');
const assert = require('node:assert/strict');
const { EV } = require('../events');
const { upChip, MAC } = require('./helpers');

const BSSID = Buffer.from([0x02, 0, 0, 0, 0, 0x01]);
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };

/** cyw43_ctrl.c's join state machine over the events the host received. */
function joinState(events, { open = false } = {}) {
    const ACTIVE = 1, FAIL = 2, NONET = 3, BADAUTH = 4, AUTH = 0x200, LINK = 0x400, KEYED = 0x800, ALL = 0xe01;
    let state = ACTIVE | (open ? KEYED : 0);
    let up = false;
    const actions = [];
    for (const ev of events) {
        if (ev.type === EV.DISASSOC) {
            up = false;
            state = 0;
        } else if (ev.type === EV.SET_SSID) {
            if (ev.status === 3 && ev.reason === 0) {
                state = NONET;
            } else if (ev.status !== 0) {
                state = FAIL;
            }
        } else if (ev.type === EV.AUTH) {
            if (ev.status === 0) {
                if ((state & 0xf) === BADAUTH) {
                    state = (state & ~0xf) | ACTIVE;
                }
                state |= AUTH;
            } else if (ev.status !== 6) {
                state = BADAUTH;
            }
        } else if (ev.type === EV.DEAUTH_IND) {
            if (ev.status === 0 && ev.reason === 2) {
                actions.push('disassoc');
            }
        } else if (ev.type === EV.LINK && ev.status === 0) {
            if (ev.flags & 1) {
                if (ev.iface === 0) {
                    state |= LINK;
                } else {
                    actions.push('ap link up');
                }
            } else {
                up = false;
                actions.push(`link down if${ev.iface}`);
            }
        } else if (ev.type === EV.PSK_SUP) {
            if (ev.status === 6) {
                state |= KEYED;
            } else if ((ev.status === 4 || ev.status === 8 || ev.status === 10) && ev.reason === 15) {
                actions.push('rejoin');
            } else {
                state = BADAUTH;
            }
        }
        if (state === ALL) {
            state = ACTIVE;
            up = true;
            actions.push('link up');
        }
    }
    const kind = state & 0xf;
    const status = kind === ACTIVE ? 'join' : kind === FAIL ? 'fail' : kind === NONET ? 'nonet' : kind === BADAUTH ? 'badauth' : 'down';
    return { status, up, actions };
}

function join(host, ssid, psk) {
    // cyw43_ll_wifi_join's order.
    host.setVar('ampdu_ba_wsize', u32(8));
    host.ioctl(134, true, u32(psk ? 0x400004 & 0xff : 0));
    host.setVar('bsscfg:sup_wpa', Buffer.concat([u32(0), u32(psk ? 1 : 0)]));
    host.setVar('bsscfg:sup_wpa2_eapver', Buffer.concat([u32(0), u32(-1)]));
    host.setVar('bsscfg:sup_wpa_tmo', Buffer.concat([u32(0), u32(5000)]));
    if (psk) {
        const pmk = Buffer.alloc(68);
        pmk.writeUInt16LE(psk.length, 0);
        pmk.writeUInt16LE(1, 2);
        Buffer.from(psk).copy(pmk, 4);
        host.ioctl(268, true, pmk);
    }
    host.ioctl(20, true, u32(1));
    host.ioctl(22, true, u32(0));
    host.setVar('mfp', u32(psk ? 1 : 0));
    host.ioctl(165, true, u32(psk ? 0x80 : 0));
    const ssidBuf = Buffer.alloc(36);
    ssidBuf.writeUInt32LE(ssid.length, 0);
    Buffer.from(ssid).copy(ssidBuf, 4);
    host.events = [];
    host.ioctl(26, true, ssidBuf);
}

function connected(air, host) {
    air.tell('sta_connected', { bssid: BSSID, channel: 6, authmode: 'wpa2_psk', rssi: -55, ssid: Buffer.from('home') });
    host.drain(50);
}

test('the MAC comes from the chip (cur_etheraddr, CYW43_USE_OTP_MAC)', () => {
    const { host } = upChip();
    assert.deepEqual(host.getVar('cur_etheraddr', 20).subarray(0, 6), MAC);
});

test('a join goes to the air with the SSID and PSK; AUTH, LINK, PSK_SUP keyed bring the link up', () => {
    const { host, air, chip } = upChip();
    join(host, 'home', 'secret123');
    const request = air.last('sta_connect');
    assert.equal(request.fields.ssid.toString(), 'home');
    assert.equal(request.fields.psk.toString(), 'secret123');
    connected(air, host);
    const state = joinState(host.events);
    assert.deepEqual(state, { status: 'join', up: true, actions: ['link up'] });
    assert.equal(chip.firmware.link.linked, true);
    assert.ok(host.ioctl(23, false, Buffer.alloc(6)).equals(BSSID));
    const rssi = host.ioctl(127, false, Buffer.alloc(4));
    assert.equal(rssi.readInt32LE(0), -55);
    assert.equal(host.ioctl(29, false, Buffer.alloc(12)).readUInt32LE(0), 6);
});

test('badAuthFirst: a failed AUTH then a good one still joins (the driver\'s grace)', () => {
    const { host, air } = upChip({ badAuthFirst: true });
    join(host, 'home', 'secret123');
    connected(air, host);
    assert.equal(host.events[0].type, EV.AUTH);
    assert.notEqual(host.events[0].status, 0);
    assert.deepEqual(joinState(host.events).status, 'join');
    assert.equal(joinState(host.events).up, true);
});

test('a wrong PSK, under each wrongPsk switch, ends as the driver reads it', () => {
    const expected = { psk_sup_fail: 'badauth', deauth_reason2: 'join', handshake_timeout: 'join' };
    const actions = { psk_sup_fail: [], deauth_reason2: ['disassoc'], handshake_timeout: ['rejoin'] };
    for (const wrongPsk of Object.keys(expected)) {
        const { host, air } = upChip({ wrongPsk, handshakeTimeoutMs: 100 });
        join(host, 'home', 'wrongpass');
        air.tell('sta_disconnected', { reason: 'auth_failed' });
        host.drain(200);
        const state = joinState(host.events);
        assert.equal(state.status, expected[wrongPsk], wrongPsk);
        assert.equal(state.up, false);
        assert.deepEqual(state.actions.filter((a) => !a.startsWith('link down')), actions[wrongPsk], wrongPsk);
    }
});

test('after DEAUTH_IND reason 2 the driver\'s WLC_DISASSOC gives DISASSOC (join state DOWN), or nothing', () => {
    for (const [disassocWhenIdle, status] of [['event', 'down'], ['silent', 'join']]) {
        const { host, air } = upChip({ wrongPsk: 'deauth_reason2', disassocWhenIdle });
        join(host, 'home', 'wrongpass');
        air.tell('sta_disconnected', { reason: 'auth_failed' });
        host.drain(50);
        host.ioctl(52, true, Buffer.alloc(0));
        host.drain(10);
        assert.equal(joinState(host.events).status, status, disassocWhenIdle);
        assert.equal(air.sent.filter((m) => m.type === 'sta_disconnect').length, 0, 'nothing to leave on the air');
    }
});

test('an unknown SSID: SET_SSID status 3 (NONET) or 1 (FAIL)', () => {
    for (const [noNetwork, status] of [['no_networks', 'nonet'], ['fail', 'fail']]) {
        const { host, air } = upChip({ noNetwork });
        join(host, 'nobody', 'secret123');
        air.tell('sta_disconnected', { reason: 'no_ap_found' });
        host.drain(10);
        assert.equal(joinState(host.events).status, status);
    }
});

test('the AP sending us away: DEAUTH_IND or DISASSOC_IND, then LINK down after the switch\'s delay', () => {
    for (const apLeave of ['deauth_ind', 'disassoc_ind']) {
        const { host, air, chip } = upChip({ apLeave, linkDownDelayMs: 300 });
        join(host, 'home', 'secret123');
        connected(air, host);
        host.events = [];
        air.tell('sta_disconnected', { reason: 'ap_left' });
        host.drain(100);
        assert.deepEqual(host.events.map((e) => e.type), [apLeave === 'deauth_ind' ? EV.DEAUTH_IND : EV.DISASSOC_IND]);
        host.drain(250);
        assert.deepEqual(host.events.map((e) => [e.type, e.flags]).slice(1), [[EV.LINK, 0]]);
        assert.equal(chip.firmware.link.linked, false);
        assert.equal(host.ioctl(23, false, Buffer.alloc(6)).status, -17);
        assert.ok(host.ioctl(23, false, Buffer.alloc(6)).equals(Buffer.alloc(6)));
    }
});

test('beacon loss: BCNLOST_MSG, then LINK down when the air gives up; autoRejoin joins again', () => {
    const { host, air } = upChip({ autoRejoin: true, autoRejoinMs: 500 });
    join(host, 'home', 'secret123');
    connected(air, host);
    host.events = [];
    air.tell('sta_beacon_timeout');
    air.tell('sta_disconnected', { reason: 'beacon_timeout' });
    host.drain(10);
    assert.deepEqual(host.events.map((e) => [e.type, e.flags, e.reason]), [[EV.BCNLOST_MSG, 0, 0], [EV.LINK, 0, 1]]);
    const joins = air.sent.filter((m) => m.type === 'sta_connect').length;
    host.drain(600);
    assert.equal(air.sent.filter((m) => m.type === 'sta_connect').length, joins + 1);
    // The AP is still gone: the attempt fails quietly and the next follows.
    host.events = [];
    air.tell('sta_disconnected', { reason: 'no_ap_found' });
    host.drain(600);
    assert.deepEqual(host.events, []);
    assert.equal(air.sent.filter((m) => m.type === 'sta_connect').length, joins + 2);
    // Back: the link comes up again without a SET_SSID, and the driver's join state is whole again.
    connected(air, host);
    assert.deepEqual(host.events.map((e) => e.type), [EV.AUTH, EV.REASSOC, EV.LINK, EV.PSK_SUP]);
    assert.equal(joinState(host.events.map((e) => e)).actions.includes('link up'), true);
    // Our own leave stops the firmware's attempts.
    host.ioctl(52, true, Buffer.alloc(0));
    air.tell('sta_disconnected', { reason: 'by_request' });
    host.drain(3000);
    assert.equal(air.sent.filter((m) => m.type === 'sta_connect').length, joins + 2);
});

test('bssidAfterBeaconLoss: after beacon loss GET_BSSID is not associated, or still the lost AP; after a deauth never', () => {
    for (const [bssidAfterBeaconLoss, reason, expected] of [['cleared', 'beacon_timeout', -17], ['kept', 'beacon_timeout', 0], ['kept', 'ap_left', -17]]) {
        const { host, air } = upChip({ bssidAfterBeaconLoss });
        join(host, 'home', 'secret123');
        connected(air, host);
        air.tell('sta_disconnected', { reason });
        host.drain(5);
        const bssid = host.ioctl(23, false, Buffer.alloc(6));
        assert.equal(bssid.status, expected, `${bssidAfterBeaconLoss} ${reason}`);
        assert.ok(expected !== 0 || bssid.equals(BSSID));
    }
});

test('our own leave: STA_DISCONNECT to the air, then DISASSOC and LINK down', () => {
    const { host, air } = upChip();
    join(host, 'home', 'secret123');
    connected(air, host);
    host.events = [];
    host.ioctl(52, true, Buffer.alloc(0));
    assert.ok(air.last('sta_disconnect'));
    air.tell('sta_disconnected', { reason: 'by_request' });
    host.drain(20);
    assert.deepEqual(host.events.map((e) => e.type), [EV.DISASSOC, EV.LINK]);
    assert.equal(joinState([...host.events]).status, 'down');
});

function escanParams({ ssid = '', passive = false, activeMs = -1, passiveMs = -1, channels = [] } = {}) {
    const p = Buffer.alloc(76);
    p.writeUInt32LE(1, 0);
    p.writeUInt16LE(1, 4);
    p.writeUInt16LE(0x55, 6);
    p.writeUInt32LE(ssid.length, 8);
    Buffer.from(ssid).copy(p, 12);
    Buffer.alloc(6, 0xff).copy(p, 44);
    p[50] = 2;
    p[51] = passive ? 1 : 0;
    p.writeInt32LE(-1, 52);
    p.writeInt32LE(activeMs, 56);
    p.writeInt32LE(passiveMs, 60);
    p.writeInt32LE(-1, 64);
    p.writeUInt32LE(channels.length, 68);
    channels.forEach((c, i) => p.writeUInt16LE(0x1000 | c, 72 + 2 * i));
    return p;
}

test('an escan goes to the air with its dwell; results arrive as partial ESCAN_RESULTs the driver decodes', () => {
    const { host, air } = upChip();
    host.setVar('escan', escanParams({ passive: true, passiveMs: 250 }));
    assert.deepEqual({ ...air.last('scan').fields, ssid: undefined },
        { passive: true, showHidden: true, dwellMs: 250, channel: 0, ssid: undefined });
    host.events = [];
    air.tell('scan_result', { bssid: BSSID, channel: 6, authmode: 'wpa2_psk', rssi: -55, hidden: false, ssid: Buffer.from('home') });
    air.tell('scan_result', { bssid: Buffer.from([2, 0, 0, 0, 0, 2]), channel: 11, authmode: 'wpa_wpa2_psk', rssi: -70, hidden: false, ssid: Buffer.from('cafe') });
    air.tell('scan_result', { bssid: Buffer.from([2, 0, 0, 0, 0, 3]), channel: 1, authmode: 'open', rssi: -80, hidden: true, ssid: Buffer.alloc(0) });
    air.tell('scan_done', { status: 0 });
    host.drain(5);
    const results = host.events.filter((e) => e.status === 8).map((e) => e.scan);
    assert.deepEqual(results.map((r) => [r.ssid.toString(), r.channel, r.authMode, r.rssi]),
        [['home', 6, 5, -55], ['cafe', 11, 7, -70], ['', 1, 0, -80]]);
    assert.deepEqual(results[0].bssid, BSSID);
    assert.equal(host.events.at(-1).type, EV.ESCAN_RESULT);
    assert.equal(host.events.at(-1).status, 0);
});

test('escan options: default dwell, one channel, an SSID filter in the chip', () => {
    const { host, air } = upChip({ scanActiveMs: 40 });
    host.setVar('escan', escanParams({ ssid: 'home', channels: [6] }));
    assert.equal(air.last('scan').fields.dwellMs, 40);
    assert.equal(air.last('scan').fields.channel, 6);
    assert.equal(air.last('scan').fields.ssid.toString(), 'home');
    host.events = [];
    air.tell('scan_result', { bssid: BSSID, channel: 6, authmode: 'wpa2_psk', rssi: -55, hidden: false, ssid: Buffer.from('home') });
    air.tell('scan_result', { bssid: BSSID, channel: 6, authmode: 'open', rssi: -55, hidden: false, ssid: Buffer.from('other') });
    air.tell('scan_done', { status: 0 });
    host.drain(5);
    assert.equal(host.events.filter((e) => e.status === 8).length, 1);
});

test('an escan during a join, under each switch: scanned, refused, or aborted', () => {
    for (const [escanWhileJoining, sent, finalStatus, replyStatus] of [['allow', true, 0, 0], ['refuse', false, null, -16], ['abort', false, 4, 0]]) {
        const { host, air } = upChip({ escanWhileJoining });
        join(host, 'home', 'secret123');
        host.events = [];
        const reply = host.setVar('escan', escanParams());
        assert.equal(reply.status, replyStatus, escanWhileJoining);
        assert.equal(Boolean(air.last('scan')), sent, escanWhileJoining);
        if (sent) {
            air.tell('scan_done', { status: 0 });
        }
        host.drain(10);
        const final = host.events.filter((e) => e.type === EV.ESCAN_RESULT && e.status !== 8);
        assert.deepEqual(final.map((e) => e.status), finalStatus === null ? [] : [finalStatus], escanWhileJoining);
    }
});

test('escanFinalStatus and joinAbortsScan', () => {
    const { host, air } = upChip({ escanFinalStatus: 4, joinAbortsScan: true });
    host.setVar('escan', escanParams());
    host.events = [];
    air.tell('scan_done', { status: 0 });
    host.drain(5);
    assert.equal(host.events.at(-1).status, 4);
    host.setVar('escan', escanParams());
    join(host, 'home', 'secret123');
    host.drain(5);
    assert.ok(host.events.some((e) => e.type === EV.ESCAN_RESULT && e.status === 4));
});

function startAp(host, { ssid = 'picoap', psk = 'appassword', channel = 3 } = {}) {
    // cyw43_ll_wifi_ap_init, then cyw43_ll_wifi_ap_set_up.
    assert.equal(host.getVar('bss', 8, u32(1)).readUInt32LE(0), 0);
    host.setVar('ampdu_ba_wsize', u32(2));
    const s = Buffer.alloc(40);
    s.writeUInt32LE(1, 0);
    s.writeUInt32LE(ssid.length, 4);
    Buffer.from(ssid).copy(s, 8);
    host.setVar('bsscfg:ssid', s);
    host.ioctl(30, true, u32(channel));
    host.setVar('bsscfg:wsec', Buffer.concat([u32(1), u32(psk ? 4 : 0)]));
    host.setVar('mfp', u32(0), 1);
    if (psk) {
        host.setVar('bsscfg:wpa_auth', Buffer.concat([u32(1), u32(0x84)]));
        const pmk = Buffer.alloc(68);
        pmk.writeUInt16LE(psk.length, 0);
        pmk.writeUInt16LE(1, 2);
        Buffer.from(psk).copy(pmk, 4);
        host.ioctl(268, true, pmk, 1);
    }
    host.ioctl(110, true, u32(1), 1);
    host.setVar('2g_mrate', u32(22), 1);
    host.ioctl(78, true, u32(1), 1);
    host.events = [];
    host.setVar('bss', Buffer.concat([u32(1), u32(1)]));
}

test('our AP goes on the air with its settings; a station joining arrives as AUTH_IND/ASSOC_IND and in the assoc list', () => {
    const { host, air } = upChip();
    host.setVar('maxassoc', u32(3), 1);
    host.setVar('closednet', u32(1), 1);
    startAp(host);
    assert.deepEqual({ ...air.last('ap_start').fields, ssid: air.last('ap_start').fields.ssid.toString(), psk: air.last('ap_start').fields.psk.toString() },
        { ssid: 'picoap', psk: 'appassword', channel: 3, hidden: true, maxConnections: 3 });
    host.drain(5);
    assert.deepEqual(host.events.map((e) => [e.type, e.flags, e.iface]), [[EV.LINK, 1, 1]]);
    assert.equal(host.getVar('bss', 8, u32(1)).readUInt32LE(0), 1);
    const station = Buffer.from([0x02, 0x4e, 0x4d, 0, 0, 9]);
    host.events = [];
    air.tell('ap_sta_connected', { mac: station, rssi: -45 });
    host.drain(5);
    assert.deepEqual(host.events.map((e) => [e.type, e.iface]), [[EV.AUTH_IND, 1], [EV.ASSOC_IND, 1]]);
    assert.deepEqual(host.events[1].addr, station);
    assert.equal(host.getVar('maxassoc', 13, u32(1)).readUInt32LE(0), 3);
    const list = host.ioctl(159, false, Buffer.concat([u32(3), Buffer.alloc(18)]), 1);
    assert.equal(list.readUInt32LE(0), 1);
    assert.deepEqual(list.subarray(4, 10), station);
    const scb = Buffer.alloc(10);
    station.copy(scb, 4);
    assert.equal(host.ioctl(127, false, scb, 1).readInt32LE(0), -45);
    host.events = [];
    air.tell('ap_sta_disconnected', { mac: station });
    host.drain(5);
    assert.deepEqual(host.events.map((e) => [e.type, e.reason, e.iface]), [[EV.DISASSOC_IND, 8, 1]]);
    assert.equal(host.ioctl(159, false, Buffer.concat([u32(3), Buffer.alloc(18)]), 1).readUInt32LE(0), 0);
    host.setVar('bss', Buffer.concat([u32(1), u32(0)]));
    assert.ok(air.last('ap_stop'));
});

test('a maxassoc or closednet change while the AP is up restarts it on the air', () => {
    const { host, air } = upChip();
    startAp(host, { psk: '' });
    assert.equal(air.last('ap_start').fields.psk.length, 0);
    host.setVar('maxassoc', u32(2), 1);
    assert.equal(air.sent.filter((m) => m.type === 'ap_start').length, 2);
    assert.equal(air.last('ap_start').fields.maxConnections, 2);
});

test('the LED is WL_GPIO0 (gpioout mask, value); unknown iovars are refused with BCME_UNSUPPORTED', () => {
    const { host, chip, logs } = upChip();
    host.setVar('gpioout', Buffer.concat([u32(1), u32(1)]));
    assert.equal(chip.firmware.gpioOut & 1, 1);
    assert.ok(logs.some((l) => l.includes('LED (WL_GPIO0) on')));
    assert.equal(host.setVar('no_such_thing', u32(1)).status, -23);
});

test('joinLatencyMs holds the outcome of a join back; an escan meanwhile meets a joining chip', () => {
    const { host, air, chip } = upChip({ joinLatencyMs: 1500, escanWhileJoining: 'refuse' });
    join(host, 'home', 'secret123');
    connected(air, host);
    assert.equal(chip.firmware.link.state, 'joining');
    assert.equal(host.setVar('escan', escanParams()).status, -16);
    host.drain(1500);
    assert.equal(joinState(host.events).up, true);
    assert.equal(chip.firmware.link.state, 'associated');
});

test('cyw43_ll_wifi_ap_get_stas: its second "maxassoc" GET (named by the first answer) still reads the maximum', () => {
    const { host } = upChip();
    host.setVar('maxassoc', u32(4), 1);
    const buf = Buffer.alloc(13);
    buf.write('maxassoc\0');
    buf.writeUInt32LE(1, 9);
    const first = host.ioctl(262, false, buf);
    const second = host.ioctl(262, false, first);
    assert.equal(second.status, -23, 'an iovar named "\\x04" is refused');
    assert.equal(second.readUInt32LE(0), 4, 'and the refusal carries the buffer back');
});
