'use strict';
// Async events as the firmware sends them on SDPCM channel 1: an Ethernet
// frame of type 0x886c with Broadcom's OUI, then wl_event_msg (big-endian,
// 48 bytes) and the event's data (little-endian structures). cyw43_ll.c's
// sdpcm_process_rx_packet checks the type and OUI, cyw43_ll_parse_async_event
// reads the message and, for ESCAN_RESULT with status PARTIAL, the bss_info.

const EV = {
    SET_SSID: 0, JOIN: 1, START: 2, AUTH: 3, AUTH_IND: 4, DEAUTH: 5, DEAUTH_IND: 6,
    ASSOC: 7, ASSOC_IND: 8, REASSOC: 9, REASSOC_IND: 10, DISASSOC: 11, DISASSOC_IND: 12,
    LINK: 16, PRUNE: 23, BCNLOST_MSG: 31, PSK_SUP: 46, ICV_ERROR: 49, ESCAN_RESULT: 69,
    CSA_COMPLETE_IND: 80, ASSOC_REQ_IE: 87, ASSOC_RESP_IE: 88,
};

const STATUS = {
    SUCCESS: 0, FAIL: 1, TIMEOUT: 2, NO_NETWORKS: 3, ABORT: 4, NO_ACK: 5, UNSOLICITED: 6,
    ATTEMPT: 7, PARTIAL: 8, NEWSCAN: 9, NEWASSOC: 10,
};

// WLC_E_PSK_SUP status: the supplicant state (cyw43_ll.h CYW43_SUP_*).
const SUP = { KEYXCHANGE_WAIT_M1: 4, KEYXCHANGE_WAIT_M3: 8, KEYED: 6, KEYXCHANGE_WAIT_G1: 10 };
// WLC_E_PSK_SUP reason (CYW43_REASON_SUP_*).
const SUP_REASON = { OTHER: 0, DEAUTH: 14, WPA_PSK_TMO: 15 };
// WLC_E_LINK reason when the link goes down.
const LINK_REASON = { BCN_LOSS: 1, DISASSOC: 2 };

const EVENT_MSG_LENGTH = 48;
const ETHERTYPE_BRCM = 0x886c;
const BRCM_OUI = [0x00, 0x10, 0x18];
const BSS_INFO_LENGTH = 128;   // sizeof(wl_bss_info_t) without IEs: where the IEs start

/** wl_event_msg_t and its data, in an Ethernet frame from `src` to `dst`. */
function encodeEvent({ type, status = 0, reason = 0, flags = 0, authType = 0, addr = Buffer.alloc(6),
    ifidx = 0, data = Buffer.alloc(0), dst, src }) {
    const frame = Buffer.alloc(14 + 10 + EVENT_MSG_LENGTH + data.length);
    dst.copy(frame, 0);
    src.copy(frame, 6);
    frame.writeUInt16BE(ETHERTYPE_BRCM, 12);
    // bcmeth_hdr: subtype, length, version, OUI, user subtype
    frame.writeUInt16BE(0x8001, 14);
    frame.writeUInt16BE(10 + EVENT_MSG_LENGTH + data.length - 4, 16);
    frame[18] = 0;
    frame[19] = BRCM_OUI[0];
    frame[20] = BRCM_OUI[1];
    frame[21] = BRCM_OUI[2];
    frame.writeUInt16BE(1, 22);
    const msg = 24;
    frame.writeUInt16BE(2, msg);                   // version
    frame.writeUInt16BE(flags, msg + 2);
    frame.writeUInt32BE(type, msg + 4);
    frame.writeUInt32BE(status >>> 0, msg + 8);
    frame.writeUInt32BE(reason >>> 0, msg + 12);
    frame.writeUInt32BE(authType >>> 0, msg + 16);
    frame.writeUInt32BE(data.length, msg + 20);
    addr.copy(frame, msg + 24);
    frame.write(ifidx ? 'wl0.1' : 'wl0', msg + 30, 'latin1');   // ifname[16]
    frame[msg + 46] = ifidx;
    frame[msg + 47] = ifidx;                      // bsscfg index
    data.copy(frame, msg + EVENT_MSG_LENGTH);
    return frame;
}

/** Read back what encodeEvent wrote (tests, trace). */
function decodeEvent(frame) {
    const msg = 24;
    const length = frame.readUInt32BE(msg + 20);
    return {
        type: frame.readUInt32BE(msg + 4),
        flags: frame.readUInt16BE(msg + 2),
        status: frame.readUInt32BE(msg + 8),
        reason: frame.readUInt32BE(msg + 12),
        addr: frame.subarray(msg + 24, msg + 30),
        ifidx: frame[msg + 46],
        data: frame.subarray(msg + EVENT_MSG_LENGTH, msg + EVENT_MSG_LENGTH + length),
    };
}

// The information elements that tell a scanner the security of a BSS, as
// cyw43_ll_wifi_parse_scan_result reads them: RSN (48) means WPA2, the WPA
// vendor element (221, 00:50:f2:01) WPA, the privacy capability bit WEP.
const RSN_PSK_CCMP = Buffer.from([0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00]);
const RSN_SAE = Buffer.from([0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x08, 0xc0, 0x00]);
const RSN_PSK_SAE = Buffer.from([0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x02, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x0f, 0xac, 0x08, 0x80, 0x00]);
const WPA_TKIP = Buffer.from([0x00, 0x50, 0xf2, 0x01, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02, 0x01, 0x00,
    0x00, 0x50, 0xf2, 0x02, 0x01, 0x00, 0x00, 0x50, 0xf2, 0x02]);
const RSN_EAP = Buffer.from([0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x01, 0x00, 0x00]);

// netsim's auth modes (docs/netsim-protocol.md) → what the beacon carries.
const SECURITY_ELEMENTS = {
    open: { privacy: false, rsn: null, wpa: false },
    wep: { privacy: true, rsn: null, wpa: false },
    wpa_psk: { privacy: true, rsn: null, wpa: true },
    wpa2_psk: { privacy: true, rsn: RSN_PSK_CCMP, wpa: false },
    wpa_wpa2_psk: { privacy: true, rsn: RSN_PSK_CCMP, wpa: true },
    wpa2_enterprise: { privacy: true, rsn: RSN_EAP, wpa: false },
    wpa3_psk: { privacy: true, rsn: RSN_SAE, wpa: false },
    wpa2_wpa3_psk: { privacy: true, rsn: RSN_PSK_SAE, wpa: false },
    wapi_psk: { privacy: true, rsn: null, wpa: false },
    owe: { privacy: true, rsn: RSN_SAE, wpa: false },
};

function element(id, body) {
    return Buffer.concat([Buffer.from([id, body.length]), body]);
}

/**
 * wl_bss_info_t (version 109, 128 bytes, natural alignment) and its IEs.
 * `ssid` is what the beacon or probe response named: empty for a hidden AP.
 */
function encodeBssInfo({ bssid, ssid, channel, rssi, authmode, beaconPeriod = 100 }) {
    const security = SECURITY_ELEMENTS[authmode];
    if (security === undefined) {
        throw new Error(`unknown auth mode ${authmode}`);
    }
    const elements = [element(0, ssid), element(1, Buffer.from([0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24])),
        element(3, Buffer.from([channel]))];
    if (security.rsn) {
        elements.push(element(48, security.rsn));
    }
    if (security.wpa) {
        elements.push(element(221, WPA_TKIP));
    }
    const ies = Buffer.concat(elements);
    const bss = Buffer.alloc(BSS_INFO_LENGTH + ies.length);
    bss.writeUInt32LE(109, 0);                    // version
    bss.writeUInt32LE(bss.length, 4);             // length, IEs included
    bssid.copy(bss, 8);
    bss.writeUInt16LE(beaconPeriod, 14);
    bss.writeUInt16LE(0x0001 | (security.privacy ? 0x0010 : 0), 16);   // ESS, privacy
    bss[18] = ssid.length;
    ssid.copy(bss, 19);
    bss.writeUInt32LE(8, 52);                     // rateset count
    Buffer.from([0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]).copy(bss, 56);
    bss.writeUInt16LE(0x1000 | 0x0000 | channel, 72);   // chanspec: 20 MHz, 2.4 GHz band
    bss[76] = 1;                                  // DTIM period
    bss.writeInt16LE(rssi, 78);
    bss.writeInt8(-92, 80);                       // noise
    bss[88] = channel;                            // control channel
    bss.writeUInt16LE(BSS_INFO_LENGTH, 116);      // where the IEs start
    bss.writeUInt32LE(ies.length, 120);
    bss.writeInt16LE(rssi + 92, 124);             // SNR
    ies.copy(bss, BSS_INFO_LENGTH);
    return bss;
}

/** wl_escan_result_t: buflen, version, sync id, count, then the BSSes. */
function encodeEscanResult(syncId, bssInfos) {
    const head = Buffer.alloc(12);
    const body = Buffer.concat(bssInfos);
    head.writeUInt32LE(12 + body.length, 0);
    head.writeUInt32LE(109, 4);
    head.writeUInt16LE(syncId, 8);
    head.writeUInt16LE(bssInfos.length, 10);
    return Buffer.concat([head, body]);
}

module.exports = {
    EV, STATUS, SUP, SUP_REASON, LINK_REASON, EVENT_MSG_LENGTH, ETHERTYPE_BRCM, BSS_INFO_LENGTH,
    SECURITY_ELEMENTS, encodeEvent, decodeEvent, encodeBssInfo, encodeEscanResult,
};
