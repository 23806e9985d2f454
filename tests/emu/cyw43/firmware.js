'use strict';
// The WLAN firmware as the host driver sees it: ioctls and iovars on SDPCM's
// control channel, async events, and Ethernet frames on the data channel.
// The radio side is netsim: joins, scans and our access point go to the air
// (docs/netsim-protocol.md) and what the air answers comes back as the events
// a CYW43439 sends. Which ioctls and iovars exist, and what the driver makes
// of each event, is read in cyw43-driver's cyw43_ll.c and cyw43_ctrl.c.

const { EV, STATUS, SUP, SUP_REASON, LINK_REASON, encodeBssInfo, encodeEscanResult } = require('./events');
const { macText } = require('./net');

// ioctl numbers (cyw43_ll.c WLC_*; the driver's CYW43_IOCTL_* are these << 1 | set).
const WLC = {
    UP: 2, DOWN: 3, SET_INFRA: 20, SET_AUTH: 22, GET_BSSID: 23, GET_SSID: 25, SET_SSID: 26,
    GET_CHANNEL: 29, SET_CHANNEL: 30, DISASSOC: 52, GET_ANTDIV: 63, SET_ANTDIV: 64, SET_DTIMPRD: 78,
    GET_PM: 85, SET_PM: 86, SET_MONITOR: 108, SET_GMODE: 110, GET_RSSI: 127, SET_WSEC: 134,
    SET_BAND: 142, GET_ASSOCLIST: 159, SET_WPA_AUTH: 165, GET_VAR: 262, SET_VAR: 263, SET_WSEC_PMK: 268,
};

// Broadcom error codes in an ioctl reply's status.
const BCME = { OK: 0, ERROR: -1, BADARG: -2, NOTUP: -4, BUSY: -16, NOTASSOCIATED: -17, UNSUPPORTED: -23 };

const STA = 0;
const AP = 1;
const BROADCAST = Buffer.alloc(6, 0xff);

// Plain numeric iovars the firmware keeps and returns as set.
const NUMERIC_IOVARS = new Set(['bus:txglom', 'apsta', 'ampdu_ba_wsize', 'ampdu_mpdu', 'ampdu_rx_factor',
    'pm2_sleep_ret', 'bcn_li_bcn', 'bcn_li_dtim', 'assoc_listen', 'mfp', '2g_mrate', 'allmulti', 'qtxpower',
    'maxassoc', 'closednet', 'sae_max_pwe_loop', 'roam_off', 'wme_apsd', 'txbf']);
// Iovars with a bsscfg index before the value (the "bsscfg:" prefix).
const BSSCFG_IOVARS = new Set(['bsscfg:sup_wpa', 'bsscfg:sup_wpa2_eapver', 'bsscfg:sup_wpa_tmo', 'bsscfg:wsec',
    'bsscfg:wpa_auth', 'bsscfg:ssid', 'bsscfg:event_msgs', 'bsscfg:maxassoc', 'bsscfg:closednet']);

function cString(buffer) {
    const end = buffer.indexOf(0);
    return buffer.subarray(0, end < 0 ? buffer.length : end).toString('latin1');
}

function u32(value) {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(value >>> 0, 0);
    return out;
}

class Firmware {
    /**
     * host: { timers, emitControl(request, data, status), emitEvent(fields), emitData(iface, ethernet),
     *         setReady() } — the chip's side of SDPCM.
     * air: { send(type, fields) } — netsim; its answers come to onAir().
     * gateway: { linkUp(bss), linkDown(), setLease(lease), fromDevice(ethernet) } for the station.
     * apLan: { up(), down(), stationJoined(mac), stationLeft(mac), fromDevice(ethernet) } for our AP.
     */
    constructor({ host, air, gateway, apLan, switches, mac, log = () => {} }) {
        this.host = host;
        this.air = air;
        this.gateway = gateway;
        this.apLan = apLan;
        this.switches = switches;
        this.airMac = Buffer.from(mac);
        this.log = log;
        this.unmodelled = new Set();   // what was refused, logged once each
        this.reset();
    }

    /** Log a request the model does not know, once. */
    refuse(what) {
        if (!this.unmodelled.has(what)) {
            this.unmodelled.add(what);
            this.log(`firmware: ${what} is not modelled (refused with BCME_UNSUPPORTED)`);
        }
        return { status: BCME.UNSUPPORTED };
    }

    reset() {
        this.booted = false;
        this.version = null;
        this.up = false;
        this.mac = Buffer.from(this.airMac);
        this.clm = { loading: false, received: 0, done: false, failed: false };
        this.numeric = new Map();
        this.eventMask = Buffer.alloc(19, 0xff);
        this.country = { abbrev: 'XX', rev: -1 };
        this.gpioOut = 0;
        this.multicast = [];
        this.pm = 2;
        this.antdiv = 0;
        this.sta = { wsec: 0, wpaAuth: 0, auth: 0, infra: 1, pmk: Buffer.alloc(0), supWpa: 0, supWpaTmo: 2500,
            channel: 0 };
        this.ap = { ssid: Buffer.alloc(0), wsec: 0, wpaAuth: 0, pmk: Buffer.alloc(0), channel: 1, up: false,
            stations: new Map() };
        // The station: idle, joining, associated, leaving.
        this.link = { state: 'idle', ssid: null, bss: null, linked: false, attempt: 0, timers: [] };
        this.scan = null;
        this.nextSyncId = 1;
        this.cancelTimers(this.link);
    }

    cancelTimers(holder) {
        for (const timer of holder.timers || []) {
            timer.cancel();
        }
        holder.timers = [];
    }

    later(holder, ms, fn) {
        const timer = this.host.timers.after(ms, fn);
        holder.timers.push(timer);
        return timer;
    }

    /** The host released the ARM core: does what it downloaded boot? */
    boot(ram) {
        const version = findVersion(ram);
        const nvramOk = checkNvram(ram);
        if (version === null || !nvramOk) {
            this.log(`firmware: nothing boots (${version === null ? 'no firmware version string in RAM' : 'NVRAM length word wrong'})`);
            return false;
        }
        this.version = version;
        this.booted = true;
        return true;
    }

    eventEnabled(type) {
        return type >= this.eventMask.length * 8 || (this.eventMask[type >> 3] & (1 << (type & 7))) !== 0;
    }

    event(fields) {
        if (!this.eventEnabled(fields.type)) {
            return;
        }
        this.host.emitEvent({ ...fields, src: this.mac });
    }

    /** A sequence of events `switches.joinEventGapMs` apart, then `done`. */
    eventSequence(holder, events, done = () => {}) {
        const gap = this.switches.joinEventGapMs;
        events.forEach((fields, index) => {
            if (gap === 0) {
                this.event(fields);
            } else {
                this.later(holder, gap * index, () => this.event(fields));
            }
        });
        if (gap === 0) {
            done();
        } else {
            this.later(holder, gap * Math.max(events.length - 1, 0), done);
        }
    }

    // ---- control channel ----

    /** One ioctl: answers (data, status) through host.emitControl. */
    ioctl(request) {
        let result;
        try {
            result = this.dispatch(request);
        } catch (error) {
            this.log(`firmware: ioctl ${request.cmd} failed in the model: ${error.stack}`);
            result = { status: BCME.ERROR };
        }
        const data = result.data ?? (result.notAssociated ? this.errorPayload(request) : request.data);
        const reply = Buffer.alloc(request.data.length);
        data.copy(reply, 0, 0, Math.min(data.length, reply.length));
        this.host.emitControl(request, reply, result.status || 0);
    }

    // A refused request comes back as it was sent: cyw43_ll_wifi_ap_get_stas sends its "maxassoc"
    // GET twice on one buffer, so the second asks for an iovar named by the first's answer, and the
    // driver reads the maximum from what the refusal returns. Whether "not associated" refusals
    // (BSSID, RSSI) are the same is a switch.
    errorPayload(request) {
        return this.switches.notAssociatedPayload === 'echo' ? request.data : Buffer.alloc(request.data.length);
    }

    dispatch(request) {
        const { cmd, set, iface, data } = request;
        if (!this.booted) {
            return { status: BCME.NOTUP };
        }
        switch (cmd) {
            case WLC.UP:
                this.up = true;
                return {};
            case WLC.DOWN:
                this.up = false;
                return {};
            case WLC.SET_INFRA:
                this.sta.infra = data.readUInt32LE(0);
                return {};
            case WLC.SET_AUTH:
                this.sta.auth = data.readUInt32LE(0);
                return {};
            case WLC.SET_WSEC:
                (iface === AP ? this.ap : this.sta).wsec = data.readUInt32LE(0);
                return {};
            case WLC.SET_WPA_AUTH:
                (iface === AP ? this.ap : this.sta).wpaAuth = data.readUInt32LE(0);
                return {};
            case WLC.SET_WSEC_PMK: {
                const length = Math.min(data.readUInt16LE(0), 64);
                (iface === AP ? this.ap : this.sta).pmk = Buffer.from(data.subarray(4, 4 + length));
                return {};
            }
            case WLC.SET_CHANNEL:
                this.ap.channel = data.readUInt32LE(0);
                return {};
            case WLC.GET_CHANNEL: {
                const channel = iface === AP ? this.ap.channel : (this.link.bss ? this.link.bss.channel : 0);
                const out = Buffer.alloc(12);
                out.writeUInt32LE(channel, 0);
                out.writeUInt32LE(channel, 4);
                return { data: out };
            }
            case WLC.SET_SSID:
                return this.join(data.subarray(4, 4 + Math.min(data.readUInt32LE(0), 32)), null);
            case WLC.GET_SSID: {
                const ssid = iface === AP ? this.ap.ssid : (this.link.bss ? this.link.bss.ssid : null);
                if (ssid === null) {
                    return { status: BCME.NOTASSOCIATED, notAssociated: true };
                }
                const out = Buffer.alloc(36);
                out.writeUInt32LE(ssid.length, 0);
                ssid.copy(out, 4);
                return { data: out };
            }
            case WLC.GET_BSSID:
                if (iface === AP) {
                    return { data: this.apBssid() };
                }
                if (this.link.bss) {
                    return { data: this.link.bss.bssid };
                }
                // bssidAfterBeaconLoss=kept: the firmware still names the AP it lost to beacon loss.
                return this.link.lostBssid ? { data: this.link.lostBssid } : { status: BCME.NOTASSOCIATED, notAssociated: true };
            case WLC.DISASSOC:
                return this.disassociate();
            case WLC.GET_RSSI:
                return this.rssi(iface, data);
            case WLC.GET_ASSOCLIST: {
                const wanted = data.readUInt32LE(0);
                const macs = [...this.ap.stations.keys()].map((text) => Buffer.from(text.replace(/:/g, ''), 'hex'));
                const out = Buffer.alloc(Math.max(data.length, 4));
                out.writeUInt32LE(macs.length, 0);
                macs.slice(0, Math.min(wanted, Math.floor((out.length - 4) / 6)))
                    .forEach((mac, i) => mac.copy(out, 4 + 6 * i));
                return { data: out };
            }
            case WLC.GET_ANTDIV:
                return { data: u32(this.antdiv) };
            case WLC.SET_ANTDIV:
                this.antdiv = data.readUInt32LE(0);
                return {};
            case WLC.GET_PM:
                return { data: u32(this.pm) };
            case WLC.SET_PM:
                this.pm = data.readUInt32LE(0);
                return {};
            case WLC.SET_GMODE:
            case WLC.SET_BAND:
            case WLC.SET_DTIMPRD:
            case WLC.SET_MONITOR:
                return {};
            case WLC.GET_VAR:
            case WLC.SET_VAR:
                return set ? this.setVar(iface, data) : this.getVar(iface, data);
            default:
                return this.refuse(`ioctl ${cmd} (${set ? 'set' : 'get'})`);
        }
    }

    getVar(iface, data) {
        const name = cString(data);
        const params = data.subarray(name.length + 1);
        switch (name) {
            case 'cur_etheraddr':
                return { data: this.mac };
            case 'ver':
                return { data: Buffer.from(`wl0: ${this.version}\0`, 'latin1') };
            case 'clmver':
                return { data: Buffer.from('API: 12.2 Data: 9.10.39 Compiler: 1.29.4 ClmImport: 1.36.3 Creation: 2021-04-26 04:01:15\0', 'latin1') };
            case 'clmload_status':
                return { data: u32(this.clm.done && !this.clm.failed ? 0 : 1) };
            case 'country': {
                const out = Buffer.alloc(12);
                out.write(this.country.abbrev, 0, 'latin1');
                out.writeInt32LE(this.country.rev, 4);
                out.write(this.country.abbrev, 8, 'latin1');
                return { data: out };
            }
            case 'bss': {
                const index = params.length >= 4 ? params.readUInt32LE(0) : iface;
                return { data: u32(index === AP ? Number(this.ap.up) : Number(this.link.linked)) };
            }
            case 'maxassoc':
            case 'bsscfg:maxassoc':
                return { data: u32(this.numeric.get('maxassoc') ?? this.switches.defaultMaxassoc) };
            case 'ccgpioin':
                return { data: u32(this.gpioOut) };
            case 'mcast_list': {
                const out = Buffer.alloc(4 + 6 * this.multicast.length);
                out.writeUInt32LE(this.multicast.length, 0);
                this.multicast.forEach((mac, i) => mac.copy(out, 4 + 6 * i));
                return { data: out };
            }
            case 'bsscfg:event_msgs':
                return { data: this.eventMask };
            default:
                if (NUMERIC_IOVARS.has(name) || BSSCFG_IOVARS.has(name)) {
                    return { data: u32(this.numeric.get(name) ?? 0) };
                }
                return this.refuse(`iovar ${JSON.stringify(name)} (get)`);
        }
    }

    setVar(iface, data) {
        const name = cString(data);
        let value = data.subarray(name.length + 1);
        let bsscfg = iface;
        if (BSSCFG_IOVARS.has(name)) {
            bsscfg = value.readUInt32LE(0);
            value = value.subarray(4);
        }
        switch (name) {
            case 'clmload':
                return this.clmChunk(value);
            case 'cur_etheraddr':
                this.mac = Buffer.from(value.subarray(0, 6));
                if (!this.mac.equals(this.airMac)) {
                    this.log(`firmware: the host set MAC ${macText(this.mac)}; the air knows this chip as ${macText(this.airMac)}`);
                }
                return {};
            case 'country':
                this.country = { abbrev: cString(value.subarray(0, 4)), rev: value.readInt32LE(4) };
                return {};
            case 'bsscfg:event_msgs':
                // The driver leaves the bsscfg index unset here (cyw43_ll_wifi_on): one mask for all.
                value.copy(this.eventMask, 0, 0, Math.min(value.length, this.eventMask.length));
                return {};
            case 'escan':
                return this.escan(value);
            case 'join':
                return this.join(value.subarray(4, 4 + Math.min(value.readUInt32LE(0), 32)),
                    value.length >= 62 ? Buffer.from(value.subarray(56, 62)) : null);
            case 'bsscfg:ssid':
                if (bsscfg === AP) {
                    this.ap.ssid = Buffer.from(value.subarray(4, 4 + Math.min(value.readUInt32LE(0), 32)));
                }
                return {};
            case 'bsscfg:wsec':
                (bsscfg === AP ? this.ap : this.sta).wsec = value.readUInt32LE(0);
                return {};
            case 'bsscfg:wpa_auth':
                (bsscfg === AP ? this.ap : this.sta).wpaAuth = value.readUInt32LE(0);
                return {};
            case 'bsscfg:sup_wpa':
                this.sta.supWpa = value.readUInt32LE(0);
                return {};
            case 'bsscfg:sup_wpa_tmo':
                this.sta.supWpaTmo = value.readUInt32LE(0);
                return {};
            case 'bsscfg:sup_wpa2_eapver':
            case 'sae_password':
                return {};
            case 'bss': {
                const index = value.readUInt32LE(0);
                const up = value.readUInt32LE(4) !== 0;
                return index === AP ? this.setApUp(up) : {};
            }
            case 'maxassoc':
            case 'bsscfg:maxassoc':
            case 'closednet':
            case 'bsscfg:closednet': {
                const key = name.replace('bsscfg:', '');
                this.numeric.set(key, value.readUInt32LE(0));
                if (this.ap.up) {
                    // netsim takes the AP's settings at its start: start it again.
                    this.startApOnAir();
                }
                return {};
            }
            case 'gpioout': {
                const mask = value.readUInt32LE(0);
                const bits = value.readUInt32LE(4);
                const before = this.gpioOut;
                this.gpioOut = ((this.gpioOut & ~mask) | (bits & mask)) >>> 0;
                if ((before ^ this.gpioOut) & 1) {
                    this.log(`firmware: LED (WL_GPIO0) ${this.gpioOut & 1 ? 'on' : 'off'}`);
                }
                return {};
            }
            case 'mcast_list': {
                const count = Math.min(value.readUInt32LE(0), 10);
                this.multicast = [];
                for (let i = 0; i < count; i++) {
                    this.multicast.push(Buffer.from(value.subarray(4 + 6 * i, 10 + 6 * i)));
                }
                return {};
            }
            default:
                if (NUMERIC_IOVARS.has(name) || BSSCFG_IOVARS.has(name)) {
                    this.numeric.set(name, value.length >= 4 ? value.readUInt32LE(0) : 0);
                    return {};
                }
                return this.refuse(`iovar ${JSON.stringify(name)} (set)`);
        }
    }

    /** "clmload": DLOAD_HANDLER_VER flag, DL_BEGIN/DL_END, type, length, crc, data (cyw43_clm_load). */
    clmChunk(value) {
        const flag = value.readUInt16LE(0);
        const length = value.readUInt32LE(4);
        if (flag & 2) {
            this.clm = { loading: true, received: 0, done: false, failed: false };
        }
        if (!this.clm.loading || length > value.length - 12) {
            this.clm.failed = true;
            return { status: BCME.BADARG };
        }
        this.clm.received += length;
        if (flag & 4) {
            this.clm.loading = false;
            this.clm.done = true;
            this.log(`firmware: CLM loaded (${this.clm.received} bytes)`);
        }
        return {};
    }

    // ---- the station ----

    staPsk() {
        return this.sta.wpaAuth !== 0 || this.sta.wsec !== 0 ? this.sta.pmk : Buffer.alloc(0);
    }

    /** A join the host asked for, or (`roaming`) one the firmware makes by itself (autoRejoin). */
    join(ssid, bssid, roaming = false) {
        if (!this.up) {
            return { status: BCME.NOTUP };
        }
        if (this.scan !== null && this.switches.joinAbortsScan) {
            this.endScan(STATUS.ABORT);
        }
        const wasLinked = this.link.linked;
        this.cancelTimers(this.link);
        this.link.state = 'joining';
        this.link.ssid = Buffer.from(ssid);
        this.link.bssidWanted = bssid;
        this.link.bss = null;
        this.link.linked = false;
        this.link.attempt++;
        this.link.startedMs = this.host.timers.now();
        this.link.roaming = roaming;
        this.link.autoRejoin = roaming;
        this.link.lostBssid = null;
        if (wasLinked) {
            this.event({ type: EV.LINK, flags: 0, reason: LINK_REASON.DISASSOC, dst: this.mac });
            this.gateway.linkDown();
        }
        // A "join" with a BSSID other than broadcast joins that AP only (cyw43_ll_wifi_join with bssid).
        const wanted = bssid && !bssid.equals(BROADCAST) && bssid.some((b) => b !== 0) ? bssid : null;
        this.air.send('sta_connect', { ssid: this.link.ssid, psk: this.staPsk(), bssid: wanted });
        return {};
    }

    disassociate() {
        const { state } = this.link;
        if (state === 'joining' || state === 'associated') {
            this.cancelTimers(this.link);
            this.link.state = 'leaving';
            this.air.send('sta_disconnect', {});
        } else if (state === 'idle' && this.switches.disassocWhenIdle === 'event') {
            this.event({ type: EV.DISASSOC, status: STATUS.SUCCESS, dst: this.mac });
        }
        this.link.autoRejoin = false;
        this.link.lostBssid = null;
        return {};
    }

    rssi(iface, data) {
        if (iface === AP) {
            const mac = macText(data.subarray(4, 10));
            const station = this.ap.stations.get(mac);
            if (station === undefined) {
                return { status: BCME.NOTASSOCIATED, notAssociated: true };
            }
            const out = Buffer.from(data);
            out.writeInt32LE(station.rssi, 0);
            return { data: out };
        }
        if (!this.link.linked) {
            return { status: BCME.NOTASSOCIATED, notAssociated: true };
        }
        const out = Buffer.alloc(Math.max(4, data.length));
        out.writeInt32LE(this.link.bss.rssi, 0);
        return { data: out };
    }

    onStaConnected({ bssid, channel, authmode, rssi, ssid }) {
        if (this.link.state !== 'joining') {
            return;
        }
        this.link.state = 'associated';
        this.link.bss = { bssid, channel, authmode, rssi, ssid };
        const secured = authmode !== 'open';
        const dst = this.mac;
        const events = [];
        if (this.link.roaming) {
            // Back by itself: no SET_SSID (the host asked for nothing), a reassociation.
            this.log('firmware: rejoined by itself');
            events.push({ type: EV.AUTH, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.REASSOC, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.LINK, flags: 1, status: STATUS.SUCCESS, addr: bssid, dst });
        } else {
            if (this.switches.badAuthFirst) {
                events.push({ type: EV.AUTH, status: STATUS.FAIL, addr: bssid, dst });
            }
            events.push({ type: EV.AUTH, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.ASSOC, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.LINK, flags: 1, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.SET_SSID, status: STATUS.SUCCESS, addr: bssid, data: ssid, dst });
        }
        if (secured) {
            events.push({ type: EV.PSK_SUP, status: SUP.KEYED, addr: bssid, dst });
        }
        this.eventSequence(this.link, events, () => {
            if (this.link.state === 'associated') {
                this.link.linked = true;
                this.gateway.linkUp(this.link.bss);
            }
        });
    }

    onStaDisconnected(reason) {
        const { state } = this.link;
        const bssid = this.link.bss ? this.link.bss.bssid : Buffer.alloc(6);
        const dst = this.mac;
        const wasLinked = this.link.linked;
        this.cancelTimers(this.link);
        this.link.state = 'idle';
        this.link.linked = false;
        this.link.bss = null;
        if (wasLinked) {
            this.gateway.linkDown();
        }
        if (state === 'leaving' || reason === 'by_request') {
            const events = [{ type: EV.DISASSOC, status: STATUS.SUCCESS, addr: bssid, dst }];
            if (wasLinked) {
                events.push({ type: EV.LINK, flags: 0, reason: LINK_REASON.DISASSOC, addr: bssid, dst });
            }
            this.eventSequence(this.link, events);
            return;
        }
        if (state === 'joining') {
            this.joinFailed(reason);
            return;
        }
        if (state !== 'associated') {
            return;
        }
        if (reason === 'beacon_timeout') {
            this.event({ type: EV.LINK, flags: 0, reason: LINK_REASON.BCN_LOSS, addr: bssid, dst });
            if (this.switches.bssidAfterBeaconLoss === 'kept') {
                this.link.lostBssid = bssid;
            }
            if (this.switches.autoRejoin) {
                this.link.autoRejoin = true;
                this.later(this.link, this.switches.autoRejoinMs, () => this.autoRejoin());
            }
            return;
        }
        // The AP sent us away (ap_left, assoc_failed, a changed PSK).
        const type = this.switches.apLeave === 'deauth_ind' ? EV.DEAUTH_IND : EV.DISASSOC_IND;
        this.event({ type, status: STATUS.SUCCESS, reason: this.switches.apLeaveReason, addr: bssid, dst });
        const linkDown = () => this.event({ type: EV.LINK, flags: 0, reason: LINK_REASON.DISASSOC, addr: bssid, dst });
        if (!wasLinked) {
            return;
        }
        if (this.switches.linkDownDelayMs === 0) {
            linkDown();
        } else {
            this.later(this.link, this.switches.linkDownDelayMs, linkDown);
        }
    }

    autoRejoin() {
        if (!this.link.autoRejoin || this.link.state !== 'idle' || this.link.ssid === null) {
            return;
        }
        this.join(this.link.ssid, this.link.bssidWanted, true);
    }

    joinFailed(reason) {
        if (this.link.roaming) {
            // The firmware's own attempts fail quietly, and it tries again.
            this.link.autoRejoin = true;
            this.later(this.link, this.switches.autoRejoinMs, () => this.autoRejoin());
            return;
        }
        const dst = this.mac;
        const ssid = this.link.ssid || Buffer.alloc(0);
        if (reason === 'auth_failed') {
            // The AP accepted the association; the 4-way handshake failed.
            const bssid = Buffer.alloc(6);
            const associated = [
                { type: EV.AUTH, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.ASSOC, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.LINK, flags: 1, status: STATUS.SUCCESS, addr: bssid, dst },
                { type: EV.SET_SSID, status: STATUS.SUCCESS, addr: bssid, data: ssid, dst },
            ];
            const down = { type: EV.LINK, flags: 0, reason: LINK_REASON.DISASSOC, addr: bssid, dst };
            switch (this.switches.wrongPsk) {
                case 'psk_sup_fail':
                    this.eventSequence(this.link, [...associated,
                        { type: EV.PSK_SUP, status: SUP.KEYXCHANGE_WAIT_M3, reason: SUP_REASON.DEAUTH, addr: bssid, dst },
                        { type: EV.DEAUTH_IND, status: STATUS.SUCCESS, reason: 15, addr: bssid, dst }, down]);
                    break;
                case 'deauth_reason2':
                    this.eventSequence(this.link, [...associated,
                        { type: EV.DEAUTH_IND, status: STATUS.SUCCESS, reason: 2, addr: bssid, dst }, down]);
                    break;
                case 'handshake_timeout': {
                    // The supplicant waits for M3 that never comes; the driver joins again on this.
                    const wait = this.switches.handshakeTimeoutMs ?? this.sta.supWpaTmo;
                    this.eventSequence(this.link, associated);
                    this.later(this.link, wait, () => this.event({ type: EV.PSK_SUP, status: SUP.KEYXCHANGE_WAIT_M3,
                        reason: SUP_REASON.WPA_PSK_TMO, addr: bssid, dst }));
                    break;
                }
            }
            return;
        }
        if (reason === 'assoc_failed') {
            this.eventSequence(this.link, [{ type: EV.AUTH, status: STATUS.SUCCESS, dst },
                { type: EV.ASSOC, status: STATUS.FAIL, dst },
                { type: EV.SET_SSID, status: STATUS.FAIL, data: ssid, dst }]);
            return;
        }
        // no_ap_found (or the AP vanished while we joined).
        const status = this.switches.noNetwork === 'no_networks' ? STATUS.NO_NETWORKS : STATUS.FAIL;
        this.event({ type: EV.SET_SSID, status, reason: 0, data: ssid, dst });
    }

    onBeaconTimeout() {
        if (this.link.linked) {
            this.event({ type: EV.BCNLOST_MSG, status: STATUS.SUCCESS, addr: this.link.bss.bssid, dst: this.mac });
        }
    }

    // ---- scans ----

    /** "escan": wl_escan_params (version, action, sync id, then wl_scan_params). */
    escan(value) {
        if (!this.up) {
            return { status: BCME.NOTUP };
        }
        const action = value.readUInt16LE(4);
        if (action === 3) {            // WL_SCAN_ACTION_ABORT
            if (this.scan !== null) {
                this.endScan(STATUS.ABORT);
            }
            return {};
        }
        if (this.link.state === 'joining' && this.switches.escanWhileJoining !== 'allow') {
            if (this.switches.escanWhileJoining === 'refuse') {
                this.log('firmware: escan refused while joining (BCME_BUSY)');
                return { status: BCME.BUSY };
            }
            this.scan = { syncId: value.readUInt16LE(6), timers: [] };
            this.log('firmware: escan while joining, aborted');
            this.later(this.scan, 1, () => this.endScan(STATUS.ABORT));
            return {};
        }
        if (this.scan !== null) {
            if (this.switches.escanWhileScanning === 'refuse') {
                return { status: BCME.BUSY };
            }
            this.cancelTimers(this.scan);
        }
        const ssidLength = Math.min(value.readUInt32LE(8), 32);
        const scan = {
            syncId: value.readUInt16LE(6),
            ssid: Buffer.from(value.subarray(12, 12 + ssidLength)),
            bssid: Buffer.from(value.subarray(44, 50)),
            passive: value[51] === 1,
            activeMs: value.readInt32LE(56),
            passiveMs: value.readInt32LE(60),
            channels: [],
            timers: [],
        };
        const channelCount = value.length >= 72 ? value.readUInt32LE(68) & 0xffff : 0;
        for (let i = 0; i < channelCount && 72 + 2 * i + 2 <= value.length; i++) {
            scan.channels.push(value.readUInt16LE(72 + 2 * i) & 0xff);
        }
        const dwell = scan.passive ? (scan.passiveMs > 0 ? scan.passiveMs : this.switches.scanPassiveMs)
            : (scan.activeMs > 0 ? scan.activeMs : this.switches.scanActiveMs);
        this.scan = scan;
        this.air.send('scan', {
            passive: scan.passive, showHidden: true, dwellMs: Math.max(1, Math.min(dwell, 1500)),
            channel: scan.channels.length === 1 ? scan.channels[0] : 0, ssid: scan.ssid,
        });
        return {};
    }

    onScanResult(result) {
        const { scan } = this;
        if (scan === null || scan.ssid === undefined) {
            return;
        }
        if (scan.channels.length > 0 && !scan.channels.includes(result.channel)) {
            return;
        }
        if (scan.ssid.length > 0 && !scan.ssid.equals(result.ssid)) {
            return;
        }
        if (!scan.bssid.equals(BROADCAST) && !scan.bssid.equals(result.bssid)) {
            return;
        }
        const bss = encodeBssInfo(result);
        this.event({ type: EV.ESCAN_RESULT, status: STATUS.PARTIAL, data: encodeEscanResult(scan.syncId, [bss]),
            dst: this.mac });
    }

    onScanDone(status) {
        if (this.scan === null) {
            return;
        }
        this.endScan(status === 0 ? this.switches.escanFinalStatus : status === 1 ? STATUS.FAIL : STATUS.ABORT);
    }

    endScan(status) {
        const { syncId } = this.scan;
        this.cancelTimers(this.scan);
        this.scan = null;
        this.event({ type: EV.ESCAN_RESULT, status, data: encodeEscanResult(syncId, []), dst: this.mac });
    }

    // ---- our access point ----

    apBssid() {
        // netsim: the device MAC with bit 2 of the first byte flipped (docs/netsim-protocol.md).
        const bssid = Buffer.from(this.airMac);
        bssid[0] ^= 0x04;
        return bssid;
    }

    setApUp(up) {
        if (up === this.ap.up) {
            return {};
        }
        if (up && this.ap.ssid.length === 0) {
            return { status: BCME.BADARG };
        }
        this.ap.up = up;
        if (up) {
            this.startApOnAir();
            this.event({ type: EV.LINK, flags: 1, status: STATUS.SUCCESS, ifidx: AP, addr: this.apBssid(), dst: this.mac });
            this.apLan.up();
        } else {
            for (const mac of [...this.ap.stations.keys()]) {
                this.ap.stations.delete(mac);
            }
            this.air.send('ap_stop', {});
            this.event({ type: EV.LINK, flags: 0, status: STATUS.SUCCESS, ifidx: AP, addr: this.apBssid(), dst: this.mac });
            this.apLan.down();
        }
        return {};
    }

    startApOnAir() {
        const secured = this.ap.wpaAuth !== 0;
        const hidden = (this.numeric.get('closednet') ?? 0) !== 0;
        const maxConnections = Math.max(1, Math.min(this.numeric.get('maxassoc') ?? this.switches.defaultMaxassoc, 10));
        this.air.send('ap_start', { ssid: this.ap.ssid, psk: secured ? this.ap.pmk : Buffer.alloc(0),
            channel: Math.max(1, Math.min(this.ap.channel, 13)), hidden, maxConnections });
    }

    onApStaConnected(mac, rssi) {
        if (!this.ap.up) {
            return;
        }
        this.ap.stations.set(macText(mac), { rssi });
        const dst = this.mac;
        this.event({ type: EV.AUTH_IND, status: STATUS.SUCCESS, ifidx: AP, addr: mac, dst });
        this.event({ type: EV.ASSOC_IND, status: STATUS.SUCCESS, ifidx: AP, addr: mac, dst });
        this.apLan.stationJoined(mac);
    }

    onApStaDisconnected(mac) {
        if (!this.ap.stations.delete(macText(mac))) {
            return;
        }
        const type = this.switches.apStaLeave === 'deauth_ind' ? EV.DEAUTH_IND : EV.DISASSOC_IND;
        this.event({ type, status: STATUS.SUCCESS, reason: 8, ifidx: AP, addr: mac, dst: this.mac });
        this.apLan.stationLeft(mac);
    }

    // ---- what the air says ----

    /** Until joinLatencyMs has passed since the join began, what the air says about it waits. */
    afterJoinLatency(fn) {
        const wait = this.link.state === 'joining'
            ? this.switches.joinLatencyMs - (this.host.timers.now() - this.link.startedMs) : 0;
        if (wait <= 0) {
            fn();
            return;
        }
        const attempt = this.link.attempt;
        this.later(this.link, wait, () => {
            if (this.link.attempt === attempt) {
                fn();
            }
        });
    }

    onAir(type, fields) {
        switch (type) {
            case 'sta_connected':
                this.afterJoinLatency(() => this.onStaConnected(fields));
                break;
            case 'sta_got_ip':
                this.afterJoinLatency(() => {
                    if (this.link.state === 'associated') {
                        this.gateway.setLease(fields);
                    }
                });
                break;
            case 'sta_disconnected':
                this.afterJoinLatency(() => this.onStaDisconnected(fields.reason));
                break;
            case 'sta_beacon_timeout':
                this.onBeaconTimeout();
                break;
            case 'sta_rssi':
                if (this.link.bss) {
                    this.link.bss.rssi = fields.rssi;
                }
                break;
            case 'sta_channel':
                if (this.link.bss) {
                    this.link.bss.channel = fields.channel;
                    this.event({ type: EV.CSA_COMPLETE_IND, status: STATUS.SUCCESS, dst: this.mac });
                }
                break;
            case 'scan_result':
                this.onScanResult(fields);
                break;
            case 'scan_done':
                this.onScanDone(fields.status);
                break;
            case 'ap_started':
                this.log(`firmware: the air runs our AP on channel ${fields.channel}`);
                break;
            case 'radio_channel':
            case 'sniff_rx':
                // Where the radio idles; 802.11 frames for sniffers: nothing the firmware tells the host.
                break;
            case 'ap_failed':
                // A real chip starts its BSS whatever else is on the air.
                this.log(`firmware: the air refused our AP (reason ${fields.reason}); the chip's BSS stays up`);
                break;
            case 'ap_channel':
                this.ap.channel = fields.channel;
                break;
            case 'ap_sta_connected':
                this.onApStaConnected(fields.mac, fields.rssi);
                break;
            case 'ap_sta_disconnected':
                this.onApStaDisconnected(fields.mac);
                break;
            case 'ap_sta_ip_assigned':
                // The station's address comes from our own DHCP server on the device (apLan).
                break;
            default:
                this.log(`firmware: the air sent ${type}, which the chip ignores`);
        }
    }

    // ---- data channel ----

    fromHost(iface, ethernet) {
        if (iface === STA) {
            if (this.link.linked) {
                this.gateway.fromDevice(ethernet);
            }
        } else if (iface === AP && this.ap.up) {
            this.apLan.fromDevice(ethernet);
        }
    }
}

/** The "Version: ..." string at the end of a CYW43 firmware image (cyw43_check_valid_chipset_firmware). */
function findVersion(ram) {
    const at = ram.lastIndexOf(Buffer.from('Version: '));
    if (at < 0) {
        return null;
    }
    const end = ram.indexOf(0, at);
    return ram.subarray(at, end < 0 ? at + 80 : Math.min(end, at + 120)).toString('latin1');
}

/** The NVRAM's length word in the last 4 bytes of RAM: ~(words) << 16 | words (cyw43_ll_bus_init). */
function checkNvram(ram) {
    const word = ram.readUInt32LE(ram.length - 4);
    const words = word & 0xffff;
    return words > 0 && ((~words & 0xffff) === word >>> 16);
}

module.exports = { Firmware, WLC, BCME, STA, AP, findVersion, checkNvram, macText };
