'use strict';
// The chip as a device on netsim's air: the device side of the wire
// protocol (docs/netsim-protocol.md; tools/netsim/protocol.py is the air's
// side), over the Unix socket named by NETMAN_AIR. The firmware model sends
// requests by name (send('sta_connect', {...})); what the air answers reaches
// `onMessage(type, fields)` by name too.

const netSocket = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const VERSION = 3;
const FRAME_MAX = 4096;

const TO_AIR = { hello: 0x01, bye: 0x02, sta_connect: 0x10, sta_disconnect: 0x11, scan: 0x12, ap_start: 0x13,
    ap_stop: 0x19 };
const FROM_AIR = {
    0x81: 'welcome', 0x90: 'sta_connected', 0x91: 'sta_got_ip', 0x92: 'sta_disconnected', 0x93: 'sta_beacon_timeout',
    0x94: 'sta_rssi', 0x95: 'scan_result', 0x96: 'scan_done', 0x97: 'sta_channel', 0x98: 'mdns_name',
    0x99: 'espnow_rx', 0x9a: 'espnow_sent', 0x9b: 'radio_channel', 0xa0: 'ap_started', 0xa1: 'ap_failed', 0xa2: 'ap_channel',
    0xa3: 'ap_sta_connected', 0xa4: 'ap_sta_disconnected', 0xa5: 'ap_sta_ip_assigned', 0xb0: 'sniff_rx', 0xff: 'error',
};
const REASONS = { 1: 'auth_failed', 2: 'no_ap_found', 3: 'beacon_timeout', 4: 'ap_left', 5: 'by_request',
    6: 'assoc_failed', 8: 'ssid_in_use' };
const AUTHMODES = ['open', 'wep', 'wpa_psk', 'wpa2_psk', 'wpa_wpa2_psk', 'wpa2_enterprise', 'wpa3_psk',
    'wpa2_wpa3_psk', 'wapi_psk', 'owe'];

class Writer {
    constructor(type) {
        this.parts = [Buffer.from([type])];
    }

    u8(value) {
        this.parts.push(Buffer.from([value & 0xff]));
        return this;
    }

    u16(value) {
        const b = Buffer.alloc(2);
        b.writeUInt16BE(value, 0);
        this.parts.push(b);
        return this;
    }

    raw(bytes) {
        this.parts.push(Buffer.from(bytes));
        return this;
    }

    string(bytes) {
        if (bytes.length > 255) {
            throw new Error('string longer than 255 bytes');
        }
        this.parts.push(Buffer.from([bytes.length]), Buffer.from(bytes));
        return this;
    }

    ipv4(text) {
        this.parts.push(Buffer.from(text.split('.').map(Number)));
        return this;
    }

    frame() {
        const body = Buffer.concat(this.parts);
        const head = Buffer.alloc(4);
        head.writeUInt32BE(body.length, 0);
        return Buffer.concat([head, body]);
    }
}

class Reader {
    constructor(body) {
        this.body = body;
        this.pos = 1;
    }

    raw(n) {
        if (this.pos + n > this.body.length) {
            throw new Error(`frame 0x${this.body[0].toString(16)} is truncated`);
        }
        const out = this.body.subarray(this.pos, this.pos + n);
        this.pos += n;
        return Buffer.from(out);
    }

    u8() {
        return this.raw(1)[0];
    }

    i8() {
        return this.raw(1).readInt8(0);
    }

    u16() {
        return this.raw(2).readUInt16BE(0);
    }

    string() {
        return this.raw(this.u8());
    }

    ipv4() {
        return [...this.raw(4)].join('.');
    }
}

/** A request from the firmware model as a frame. */
function encodeRequest(type, fields) {
    const w = new Writer(TO_AIR[type]);
    switch (type) {
        case 'hello':
            return w.u8(VERSION).raw(fields.mac).string(Buffer.from(fields.name)).frame();
        case 'bye':
        case 'sta_disconnect':
        case 'ap_stop':
            return w.frame();
        case 'sta_connect':
            return w.string(fields.ssid).string(fields.psk).string(Buffer.from(fields.hostname || '')).u8(0)
                .ipv4('0.0.0.0').ipv4('0.0.0.0').ipv4('0.0.0.0').ipv4('0.0.0.0')
                .u8(fields.bssid ? 1 : 0).raw(fields.bssid || Buffer.alloc(6)).frame();
        case 'scan':
            return w.u8(fields.passive ? 1 : 0).u8(fields.showHidden ? 1 : 0).u16(fields.dwellMs).u8(fields.channel)
                .string(fields.ssid).u8(0).raw(Buffer.alloc(6)).frame();
        case 'ap_start':
            return w.string(fields.ssid).string(fields.psk).u8(fields.channel).u8(fields.hidden ? 1 : 0)
                .u8(fields.maxConnections).frame();
        default:
            throw new Error(`no such request to the air: ${type}`);
    }
}

/** A frame from the air as (type, fields). */
function decodeMessage(body) {
    const type = FROM_AIR[body[0]];
    const r = new Reader(body);
    switch (type) {
        case 'welcome':
            return [type, { version: r.u8(), mac: r.raw(6) }];
        case 'sta_connected':
            return [type, { bssid: r.raw(6), channel: r.u8(), authmode: AUTHMODES[r.u8()] ?? 'open', rssi: r.i8(), ssid: r.string() }];
        case 'sta_got_ip':
            return [type, { address: r.ipv4(), netmask: r.ipv4(), gateway: r.ipv4(), dns: r.ipv4() }];
        case 'sta_disconnected':
            return [type, { reason: REASONS[r.u8()] ?? 'ap_left' }];
        case 'sta_rssi':
            return [type, { rssi: r.i8() }];
        case 'scan_result':
            return [type, { bssid: r.raw(6), channel: r.u8(), authmode: AUTHMODES[r.u8()] ?? 'open', rssi: r.i8(),
                hidden: r.u8() !== 0, ssid: r.string() }];
        case 'scan_done':
            return [type, { status: r.u8() }];
        case 'sta_channel':
        case 'ap_channel':
        case 'radio_channel':
            return [type, { channel: r.u8() }];
        case 'ap_started':
            return [type, { address: r.ipv4(), netmask: r.ipv4(), channel: r.u8() }];
        case 'ap_failed':
            return [type, { reason: REASONS[r.u8()] ?? 'unknown' }];
        case 'ap_sta_connected':
            return [type, { mac: r.raw(6), rssi: r.i8() }];
        case 'ap_sta_disconnected':
            return [type, { mac: r.raw(6) }];
        case 'ap_sta_ip_assigned':
            return [type, { mac: r.raw(6), address: r.ipv4() }];
        case 'error':
            return [type, { code: r.u8(), message: r.string().toString() }];
        case 'sta_beacon_timeout':
            return [type, {}];
        default:
            return [type ?? `0x${body[0].toString(16)}`, {}];
    }
}

class AirLink {
    /** Connect to the air at `path` as `name` with `mac` (zeros: the air assigns one). */
    constructor({ path, name, mac = Buffer.alloc(6), log = () => {} }) {
        this.path = path;
        this.name = name;
        this.requestedMac = mac;
        this.log = log;
        this.onMessage = () => {};
        this.mac = null;
        this.socket = null;
        this.closed = false;
    }

    /** Resolves with the MAC the air welcomed us with. */
    connect() {
        return new Promise((resolve, reject) => {
            const socket = netSocket.createConnection(this.path);
            this.socket = socket;
            let buffer = Buffer.alloc(0);
            let welcomed = false;
            const timer = setTimeout(() => reject(new Error(`the air at ${this.path} did not welcome us within 2 s`)), 2000);
            socket.on('connect', () => socket.write(encodeRequest('hello', { mac: this.requestedMac, name: this.name })));
            socket.on('error', (error) => {
                clearTimeout(timer);
                if (!welcomed) {
                    reject(error);
                } else {
                    this.log(`air: ${error.message}`);
                }
            });
            socket.on('close', () => {
                this.closed = true;
                clearTimeout(timer);
                if (!welcomed) {
                    reject(new Error('the air closed the connection before welcoming us'));
                }
            });
            socket.on('data', (chunk) => {
                buffer = Buffer.concat([buffer, chunk]);
                while (buffer.length >= 4) {
                    const length = buffer.readUInt32BE(0);
                    if (length < 1 || length > FRAME_MAX) {
                        this.log(`air: bad frame length ${length}`);
                        socket.destroy();
                        return;
                    }
                    if (buffer.length < 4 + length) {
                        break;
                    }
                    const body = buffer.subarray(4, 4 + length);
                    buffer = buffer.subarray(4 + length);
                    const [type, fields] = decodeMessage(body);
                    if (type === 'welcome' && !welcomed) {
                        welcomed = true;
                        clearTimeout(timer);
                        this.mac = fields.mac;
                        resolve(fields.mac);
                    } else if (type === 'error') {
                        this.log(`air: error ${fields.code}: ${fields.message}`);
                        if (!welcomed) {
                            clearTimeout(timer);
                            reject(new Error(`the air refused us: ${fields.message}`));
                        }
                    } else {
                        this.onMessage(type, fields);
                    }
                }
            });
        });
    }

    send(type, fields) {
        if (this.socket === null || this.closed) {
            return;
        }
        this.socket.write(encodeRequest(type, fields));
    }

    close() {
        if (this.socket !== null && !this.closed) {
            this.socket.end(encodeRequest('bye', {}));
        }
    }
}

/** The air's control socket: newline-delimited JSON (tools/netsim/control.py). */
class AirControl {
    constructor(socketPath) {
        this.socketPath = socketPath;
        this.socket = null;
        this.buffer = '';
        this.waiting = [];
    }

    open() {
        return new Promise((resolve, reject) => {
            this.socket = netSocket.createConnection(this.socketPath, resolve);
            this.socket.once('error', reject);
            this.socket.on('data', (chunk) => {
                this.buffer += chunk.toString();
                let end;
                while ((end = this.buffer.indexOf('\n')) >= 0) {
                    const line = this.buffer.slice(0, end);
                    this.buffer = this.buffer.slice(end + 1);
                    this.waiting.shift()(JSON.parse(line));
                }
            });
        });
    }

    /** One request: an action (ap_down, deauth, ...) or status / history. */
    call(op, args = {}) {
        return new Promise((resolve, reject) => {
            this.waiting.push((reply) => (reply.ok ? resolve(reply.result) : reject(new Error(`air: ${op}: ${reply.error}`))));
            this.socket.write(`${JSON.stringify({ op, args })}\n`);
        });
    }

    async history(event, facts = {}) {
        const all = await this.call('history');
        return all.filter((entry) => (event === undefined || entry.event === event)
            && Object.entries(facts).every(([key, value]) => entry[key] === value));
    }

    close() {
        if (this.socket !== null) {
            this.socket.end();
        }
    }
}

/**
 * A netsim process on a fresh socket, with `scenario` (TOML text) loaded.
 * Resolves with { path, control, lines, close() } once the air is ready.
 */
function startAir({ scenario = '', tools = path.resolve(__dirname, '../../../tools'), log = () => {}, python = 'python3' }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netsim-emu-'));
    const socketPath = path.join(dir, 'air.sock');
    const scenarioPath = path.join(dir, 'scenario.toml');
    fs.writeFileSync(scenarioPath, scenario);
    const child = spawn(python, ['-m', 'netsim', '--air', socketPath, '--scenario', scenarioPath],
        { cwd: tools, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    return new Promise((resolve, reject) => {
        let ready = false;
        let partial = '';
        const onOutput = (chunk) => {
            partial += chunk.toString();
            let end;
            while ((end = partial.indexOf('\n')) >= 0) {
                const line = partial.slice(0, end);
                partial = partial.slice(end + 1);
                lines.push(line);
                log(line);
                if (!ready && line.startsWith('netsim: ready')) {
                    ready = true;
                    const control = new AirControl(`${socketPath}.ctl`);
                    control.open().then(() => resolve({
                        path: socketPath, control, lines,
                        close() {
                            control.close();
                            child.kill('SIGTERM');
                            fs.rmSync(dir, { recursive: true, force: true });
                        },
                    }), reject);
                }
            }
        };
        child.stdout.on('data', onOutput);
        child.stderr.on('data', onOutput);
        child.on('exit', (code) => {
            if (!ready) {
                reject(new Error(`netsim exited with ${code}: ${lines.join('\n')}`));
            }
        });
    });
}

module.exports = { AirLink, AirControl, startAir, encodeRequest, decodeMessage, AUTHMODES, REASONS, VERSION, TO_AIR, FROM_AIR };
