'use strict';
// The CYW43439 as one object: power (WL_REG_ON), the gSPI bus, the
// backplane, the firmware, the F2 receive queue with its credits, and the
// host-wake line. The bus side is driven by pio.js (rp2040js) or by tests;
// the radio side is netsim (netsim.js) or a test's fake air.

const { Gspi } = require('./gspi');
const { Backplane } = require('./backplane');
const { Firmware } = require('./firmware');
const { StationGateway, ApLan } = require('./gateway');
const sdpcm = require('./sdpcm');
const { encodeEvent } = require('./events');
const { resolveSwitches } = require('./switches');
const { formatDump } = require('./dump');
const net = require('./net');

/** An Ethernet frame in a few words, for the trace. */
function describeEthernet(frame) {
    const eth = net.parseEthernet(frame);
    if (eth === null) {
        return `${frame.length} bytes`;
    }
    if (eth.type === net.ETHERTYPE.ARP) {
        const arp = net.parseArp(eth.payload);
        return arp ? `ARP ${arp.op === 1 ? 'who-has' : 'is-at'} ${arp.targetIp} from ${arp.senderIp}` : 'ARP';
    }
    if (eth.type === net.ETHERTYPE.IPV4) {
        const ip = net.parseIpv4(eth.payload);
        if (ip === null) {
            return 'IPv4 (bad)';
        }
        const udp = ip.proto === net.PROTO.UDP ? net.parseUdp(ip) : null;
        return udp ? `UDP ${ip.src}:${udp.srcPort} -> ${ip.dst}:${udp.dstPort} (${udp.data.length} bytes)`
            : `IPv4 proto ${ip.proto} ${ip.src} -> ${ip.dst}`;
    }
    return `ethertype 0x${eth.type.toString(16)}, ${frame.length} bytes`;
}

const RX_QUEUE_LIMIT = 256;

/**
 * Millisecond timers on a clock with rp2040js's interface (nanos, createAlarm). They fire in the
 * order of their time and, at the same time, in the order they were set (rp2040js's clock puts
 * an alarm before the others of the same instant), on one alarm of the clock.
 */
class Timers {
    constructor(clock) {
        this.clock = clock;
        this.pending = [];       // { at (nanos), seq, fn }, sorted
        this.seq = 0;
        this.alarm = null;
    }

    /** A power cycle of the board brings a new clock. */
    bind(clock) {
        this.cancelAll();
        this.clock = clock;
        this.alarm = null;
    }

    now() {
        return this.clock ? this.clock.nanos / 1e6 : 0;
    }

    after(ms, fn) {
        const entry = { at: this.clock.nanos + Math.max(0, ms) * 1e6, seq: this.seq++, fn };
        let i = this.pending.length;
        while (i > 0 && this.pending[i - 1].at > entry.at) {
            i--;
        }
        this.pending.splice(i, 0, entry);
        this.arm();
        return { cancel: () => {
            const at = this.pending.indexOf(entry);
            if (at >= 0) {
                this.pending.splice(at, 1);
            }
        } };
    }

    arm() {
        if (this.alarm === null) {
            this.alarm = this.clock.createAlarm(() => this.fire());
        }
        if (this.pending.length > 0) {
            this.alarm.schedule(Math.max(0, this.pending[0].at - this.clock.nanos));
        }
    }

    fire() {
        while (this.pending.length > 0 && this.pending[0].at <= this.clock.nanos) {
            this.pending.shift().fn();
        }
        if (this.pending.length > 0) {
            this.arm();
        }
    }

    cancelAll() {
        this.pending = [];
        this.alarm?.cancel();
    }
}

class Cyw43 {
    /**
     * clock: rp2040js's clock (or a test's); air: { send(type, fields) };
     * mac: the chip's MAC (the one the air knows it by).
     */
    /**
     * dump(text): every bus transaction in cyw43_bus_pio_spi.c's dump format (dump.js), or null.
     */
    constructor({ clock, air, mac, switches = {}, portMap, ntpServer, log = () => {}, trace = false, dump = null }) {
        this.dump = dump;
        this.dumpCounter = 0;
        this.switches = resolveSwitches(switches);
        this.timers = new Timers(clock);
        this.log = (text) => log(`[cyw43 ${this.timers.now().toFixed(3)} ms] ${text}`);
        this.traceOn = trace;
        this.powered = false;
        this.csHigh = true;
        this.hostWake = false;
        this.onHostWake = () => {};
        this.eventLog = [];            // what the chip told the host: { ms, type, status, reason, flags, ifidx }
        this.stats = { transactions: 0, framesIn: 0, framesOut: 0, ioctls: 0, events: 0, dataIn: 0, dataOut: 0,
            creditFrames: 0, dropped: 0, badFrames: 0 };
        this.backplane = new Backplane({
            onArmStart: (ram) => this.armStarted(ram),
            onFrameTerminate: () => this.dropHead(),
            log: this.log,
        });
        this.gspi = new Gspi({ backplane: this.backplane, wlan: this, log: this.log });
        const toStation = (ethernet) => this.emitData(0, ethernet);
        const toAp = (ethernet) => this.emitData(1, ethernet);
        this.gateway = new StationGateway({ toDevice: toStation, timers: this.timers, portMap, ntpServer, log: this.log });
        this.apLan = new ApLan({ toDevice: toAp, log: this.log });
        this.firmware = new Firmware({
            host: this, air, gateway: this.gateway, apLan: this.apLan, switches: this.switches, mac, log: this.log,
        });
        this.resetBus();
    }

    resetBus() {
        this.rxQueue = [];
        this.f2IsReady = false;
        this.hostSequence = -1;       // the last sequence number the host sent
        this.chipSequence = 0;
        this.firstFrame = true;
    }

    trace(text) {
        if (this.traceOn) {
            this.log(text);
        }
    }

    // ---- power (WL_REG_ON) ----

    powerOn() {
        if (this.powered) {
            return;
        }
        this.powered = true;
        this.trace('power on');
        this.updateHostWake();
    }

    powerOff() {
        if (!this.powered) {
            return;
        }
        this.trace('power off');
        this.powered = false;
        this.timers.cancelAll();
        const { firmware } = this;
        // The air sees the chip vanish: its association and its AP end.
        if (firmware.link.state !== 'idle') {
            firmware.air.send('sta_disconnect', {});
        }
        if (firmware.ap.up) {
            firmware.air.send('ap_stop', {});
        }
        this.gateway.linkDown();
        this.apLan.down();
        this.gspi.reset();
        this.backplane.reset();
        firmware.reset();
        this.resetBus();
        this.updateHostWake();
    }

    armStarted(ram) {
        this.trace(`ARM core released (${this.backplane.ramWritten} bytes downloaded)`);
        if (!this.firmware.boot(ram)) {
            return;
        }
        this.timers.after(this.switches.bootMs, () => {
            this.backplane.setHtAvailable(true);
            this.timers.after(this.switches.f2ReadyMs, () => {
                this.f2IsReady = true;
                this.log(`firmware up: ${this.firmware.version}`);
            });
        });
    }

    // ---- the bus, from pio.js ----

    spiWrite(bytes) {
        if (!this.powered) {
            return;
        }
        this.stats.transactions++;
        this.dump?.(formatDump(this.dumpCounter++, bytes, null));
        this.gspi.write(bytes);
        this.updateHostWake();
    }

    spiRead(bytes, length) {
        if (!this.powered) {
            return Buffer.alloc(length);
        }
        this.stats.transactions++;
        const out = this.gspi.read(bytes, length);
        // The driver's receive buffer holds the command's place, zeroed, then what was read.
        this.dump?.(formatDump(this.dumpCounter++, bytes, Buffer.concat([Buffer.alloc(bytes.length), out])));
        this.updateHostWake();
        return out;
    }

    setChipSelect(high) {
        this.csHigh = high;
        this.updateHostWake();
    }

    /** Host wake (GPIO24): driven while the chip is deselected and its interrupt is asserted. */
    updateHostWake() {
        const level = this.powered && this.csHigh && this.gspi.interruptPolarityHigh && this.gspi.interruptAsserted;
        if (level !== this.hostWake) {
            this.hostWake = level;
            this.onHostWake(level);
        }
    }

    // ---- F2, for gspi.js ----

    f2Ready() {
        return this.f2IsReady;
    }

    pending() {
        if (this.rxQueue.length === 0) {
            return 0;
        }
        const head = this.rxQueue[0];
        return head.headerLength + head.payload.length;
    }

    get credit() {
        return (this.hostSequence + 1 + this.switches.creditWindow) & 0xff;
    }

    readFrame(length) {
        const out = Buffer.alloc(length);
        const head = this.rxQueue.shift();
        if (head === undefined) {
            this.gspi.interrupt |= 0x0001;   // DATA_UNAVAILABLE
            return out;
        }
        const frame = sdpcm.buildFrame(head.channel, head.payload,
            { sequence: this.chipSequence++, credit: this.credit, headerLength: head.headerLength });
        frame.copy(out, 0, 0, Math.min(frame.length, length));
        this.stats.framesOut++;
        return out;
    }

    dropHead() {
        if (this.rxQueue.shift() !== undefined) {
            this.stats.dropped++;
        }
        this.updateHostWake();
    }

    writeFrame(bytes) {
        let frame;
        try {
            frame = sdpcm.parseHostFrame(bytes);
        } catch (error) {
            this.stats.badFrames++;
            this.log(`F2: bad frame from the host: ${error.message}`);
            return;
        }
        this.stats.framesIn++;
        const expected = (this.hostSequence + 1) & 0xff;
        if (frame.sequence !== expected) {
            this.log(`F2: host sequence ${frame.sequence}, expected ${expected}`);
        }
        if (((this.credit - frame.sequence) & 0xff) === 0 || ((this.credit - frame.sequence) & 0xff) > this.switches.creditWindow) {
            this.log(`F2: the host sent sequence ${frame.sequence} beyond its credit ${this.credit}`);
        }
        this.hostSequence = frame.sequence;
        if (frame.channel === sdpcm.CHANNEL_CONTROL) {
            this.stats.ioctls++;
            this.trace(`ioctl ${frame.ioctl.cmd} ${frame.ioctl.set ? 'set' : 'get'} if${frame.ioctl.iface} id ${frame.ioctl.id}`
                + (frame.ioctl.cmd >= 262 && frame.ioctl.cmd <= 263 ? ` ${JSON.stringify(frame.ioctl.data.subarray(0, 24).toString('latin1').split('\0')[0])}` : ''));
            this.firmware.ioctl(frame.ioctl);
        } else {
            this.stats.dataIn++;
            this.trace(`data from the host if${frame.iface}: ${describeEthernet(frame.ethernet)}`);
            this.firmware.fromHost(frame.iface, frame.ethernet);
            // The host stalls on its credit unless the chip answers each data frame.
            if (!this.rxQueue.some((entry) => entry.payload.length === 0)) {
                this.stats.creditFrames++;
                this.enqueue({ channel: sdpcm.CHANNEL_DATA, payload: Buffer.alloc(0), headerLength: sdpcm.HEADER_LENGTH });
            }
        }
        this.updateHostWake();
    }

    enqueue(entry) {
        if (this.rxQueue.length >= RX_QUEUE_LIMIT && entry.channel === sdpcm.CHANNEL_DATA) {
            this.stats.dropped++;
            return;
        }
        this.rxQueue.push(entry);
        this.updateHostWake();
    }

    // ---- the firmware's output, for firmware.js ----

    emitControl(request, data, status) {
        const entry = { channel: sdpcm.CHANNEL_CONTROL, payload: sdpcm.ioctlReply(request, data, status),
            headerLength: sdpcm.HEADER_LENGTH };
        if (this.switches.ioctlLatencyMs === 0) {
            this.enqueue(entry);
        } else {
            this.timers.after(this.switches.ioctlLatencyMs, () => this.enqueue(entry));
        }
    }

    /** Change switches while the chip runs (the firmware reads them when it acts). */
    setSwitches(given) {
        const merged = resolveSwitches({ ...this.switches, ...given });
        Object.assign(this.switches, merged);
    }

    emitEvent(fields) {
        this.stats.events++;
        const ifidx = fields.ifidx || 0;
        if (this.eventLog.length >= 1000) {
            this.eventLog.shift();
        }
        this.eventLog.push({ ms: this.timers.now(), type: fields.type, status: fields.status || 0, reason: fields.reason || 0,
            flags: fields.flags || 0, ifidx });
        this.trace(`event ${fields.type} status ${fields.status || 0} reason ${fields.reason || 0} flags ${fields.flags || 0} if${ifidx}`);
        this.enqueue({ channel: sdpcm.CHANNEL_EVENT, payload: sdpcm.bdcPayload(ifidx, encodeEvent(fields)),
            headerLength: this.switches.rxHeaderLength });
    }

    emitData(iface, ethernet) {
        if (!this.f2IsReady) {
            return;
        }
        this.stats.dataOut++;
        this.trace(`data to the host if${iface}: ${describeEthernet(ethernet)}`);
        this.enqueue({ channel: sdpcm.CHANNEL_DATA, payload: sdpcm.bdcPayload(iface, ethernet),
            headerLength: this.switches.rxHeaderLength });
    }

    /**
     * What the air says, for netsim.js. It arrives on Node.js's event loop,
     * between slices of simulated time; the chip acts on it at the next
     * instant of simulated time, from an alarm, like everything it does.
     */
    fromAir(type, fields) {
        if (!this.powered) {
            return;
        }
        this.timers.after(0, () => {
            if (this.firmware.booted) {
                this.trace(`air: ${type}`);
                this.firmware.onAir(type, fields);
            }
        });
    }
}

module.exports = { Cyw43, Timers };
