'use strict';
// What the model cannot know from cyw43-driver's source: how the real
// firmware answers in the cases the driver does not pin down. Each switch
// names its plausible behaviours; the port must be right under all of them.
// tests/emu/README.md says what each one means and how to calibrate it.

const SWITCHES = {
    // Timing (simulated milliseconds of the RP2040's clock).
    bootMs: { default: 29, range: [0, 2000], doc: 'ARM core out of reset -> HT clock (cyw43_ll.c: "takes about 29ms")' },
    f2ReadyMs: { default: 2, range: [0, 1000], doc: 'HT clock -> F2 ready' },
    ioctlLatencyMs: { default: 0, range: [0, 1000], doc: 'an ioctl request -> its reply readable' },
    joinLatencyMs: { default: 0, range: [0, 20000], doc: 'a join request -> the first event of its outcome, at the least (real joins take 1-3 s; the air adds its own)' },
    joinEventGapMs: { default: 2, range: [0, 5000], doc: 'between the events of one join (AUTH, ASSOC, LINK, SET_SSID, PSK_SUP)' },
    linkDownDelayMs: { default: 0, range: [0, 10000], doc: 'DEAUTH_IND/DISASSOC_IND from the AP -> LINK down' },
    handshakeTimeoutMs: { default: null, range: [0, 20000], doc: 'wrongPsk=handshake_timeout: how long the supplicant waits (null: the host\'s bsscfg:sup_wpa_tmo)' },
    scanActiveMs: { default: 40, range: [1, 1500], doc: 'per-channel dwell of an active escan that leaves active_time at -1' },
    scanPassiveMs: { default: 110, range: [1, 1500], doc: 'per-channel dwell of a passive escan that leaves passive_time at -1' },
    // Bus.
    creditWindow: { default: 4, range: [1, 20], doc: 'frames the host may send beyond the last one the chip took' },
    rxHeaderLength: { default: 18, choices: [14, 18, 22], doc: 'SDPCM header length of event/data frames (2 mod 4 keeps the event 4-aligned for cyw43_ll_parse_async_event)' },
    // Join and link.
    wrongPsk: {
        default: 'psk_sup_fail', choices: ['psk_sup_fail', 'deauth_reason2', 'handshake_timeout'],
        doc: 'a wrong PSK: PSK_SUP failure (driver: BADAUTH); DEAUTH_IND reason 2 (driver disassociates: DOWN); or a 4-way-handshake timeout (driver rejoins, again and again)',
    },
    badAuthFirst: { default: false, choices: [false, true], doc: 'a join that succeeds first sends an AUTH failure, then AUTH success (cyw43_ctrl.c: "A good-auth follows a bad-auth")' },
    noNetwork: { default: 'no_networks', choices: ['no_networks', 'fail'], doc: 'SET_SSID status for an SSID nobody serves: 3 NO_NETWORKS (driver: NONET) or 1 FAIL (driver: FAIL)' },
    apLeave: { default: 'deauth_ind', choices: ['deauth_ind', 'disassoc_ind'], doc: 'how the AP sending us away arrives' },
    apLeaveReason: { default: 3, range: [1, 65535], doc: '802.11 reason code in it (2 makes the driver disassociate, cyw43_ctrl.c)' },
    disassocWhenIdle: { default: 'event', choices: ['event', 'silent'], doc: 'WLC_DISASSOC while not associated: a DISASSOC event (driver: join state DOWN) or nothing' },
    autoRejoin: { default: false, choices: [false, true], doc: 'after losing the AP (beacon loss) the firmware itself joins the SSID again, quietly until it succeeds (AUTH, REASSOC, LINK up, PSK_SUP; no SET_SSID)' },
    autoRejoinMs: { default: 1000, range: [10, 60000], doc: 'autoRejoin: between attempts' },
    bssidAfterBeaconLoss: { default: 'cleared', choices: ['cleared', 'kept'], doc: 'WLC_GET_BSSID after the link was lost to missing beacons: not associated, or still the lost AP (until a join or leave); after a deauth it is always not associated' },
    notAssociatedPayload: { default: 'zeros', choices: ['zeros', 'echo'], doc: 'WLC_GET_BSSID/WLC_GET_RSSI while not associated: error status with a zeroed buffer, or with the request echoed' },
    // Scans.
    escanWhileJoining: { default: 'allow', choices: ['allow', 'refuse', 'abort'], doc: 'an escan while a join runs: scanned; refused with BCME_BUSY (no events); or aborted (final ESCAN_RESULT status 4)' },
    escanWhileScanning: { default: 'restart', choices: ['restart', 'refuse'], doc: 'an escan while one runs: the old ends silently and the new runs; or BCME_BUSY' },
    escanFinalStatus: { default: 0, choices: [0, 4, 1], doc: 'ESCAN_RESULT status that ends a completed scan (the driver ends its scan only on 0)' },
    joinAbortsScan: { default: false, choices: [false, true], doc: 'a join while an escan runs ends the escan with status 4 ABORT' },
    // Access point.
    defaultMaxassoc: { default: 10, range: [1, 10], doc: 'maxassoc until the host sets it' },
    apStaLeave: { default: 'disassoc_ind', choices: ['disassoc_ind', 'deauth_ind'], doc: 'how a station leaving our AP arrives (reason 8)' },
};

class SwitchError extends Error {}

/** The defaults overridden by `given` (an object of switch names), checked. */
function resolveSwitches(given = {}) {
    const resolved = {};
    for (const [name, spec] of Object.entries(SWITCHES)) {
        resolved[name] = spec.default;
    }
    for (const [name, value] of Object.entries(given)) {
        const spec = SWITCHES[name];
        if (spec === undefined) {
            throw new SwitchError(`unknown switch ${name}; known: ${Object.keys(SWITCHES).join(', ')}`);
        }
        if (spec.choices && !spec.choices.includes(value)) {
            throw new SwitchError(`switch ${name} is one of ${spec.choices.map(String).join(', ')}, not ${value}`);
        }
        if (spec.range && value !== null && !(Number.isInteger(value) && value >= spec.range[0] && value <= spec.range[1])) {
            throw new SwitchError(`switch ${name} is an integer ${spec.range[0]}..${spec.range[1]}, not ${value}`);
        }
        resolved[name] = value;
    }
    return resolved;
}

/** "name=value,name=value" (the CYW43_SWITCHES form) as an object. */
function parseSwitches(text) {
    const given = {};
    for (const item of (text || '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const [name, raw] = item.split('=');
        if (raw === undefined) {
            throw new SwitchError(`switch ${name} needs a value (name=value)`);
        }
        const spec = SWITCHES[name];
        let value = raw;
        if (raw === 'true' || raw === 'false') {
            value = raw === 'true';
        } else if (raw === 'null') {
            value = null;
        } else if (/^-?\d+$/.test(raw)) {
            value = Number(raw);
        }
        if (spec && spec.choices && spec.choices.every((c) => typeof c === 'number') && typeof value !== 'number') {
            throw new SwitchError(`switch ${name} takes a number`);
        }
        given[name] = value;
    }
    return resolveSwitches(given);
}

module.exports = { SWITCHES, SwitchError, resolveSwitches, parseSwitches };
