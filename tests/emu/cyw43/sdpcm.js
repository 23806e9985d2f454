'use strict';
// SDPCM framing on the gSPI F2 (WLAN) function, as cyw43-driver's cyw43_ll.c
// builds and parses it: a 12-byte header (size, ~size, sequence, channel,
// next length, header length, flow control, bus data credit), then on the
// control channel an ioctl header (cmd, len, flags, status) and the data, on
// the event and data channels a 4-byte BDC header and an Ethernet frame.

const HEADER_LENGTH = 12;
const IOCTL_HEADER_LENGTH = 16;
const BDC_HEADER_LENGTH = 4;

const CHANNEL_CONTROL = 0;
const CHANNEL_EVENT = 1;
const CHANNEL_DATA = 2;

// ioctl header flags (Broadcom CDC): bit 0 error, bit 1 set, bits 12-15 the
// interface, bits 16-31 the request id the reply must echo
// (cyw43_ll.c, cyw43_send_ioctl / sdpcm_process_rx_packet).
const IOCTL_FLAG_ERROR = 0x1;
const IOCTL_FLAG_SET = 0x2;
const IOCTL_IF_SHIFT = 12;
const IOCTL_ID_SHIFT = 16;

class FrameError extends Error {}

/** Parse one frame the host wrote to F2 (the bytes may carry padding). */
function parseHostFrame(bytes) {
    if (bytes.length < HEADER_LENGTH) {
        throw new FrameError(`frame of ${bytes.length} bytes is shorter than the SDPCM header`);
    }
    const size = bytes.readUInt16LE(0);
    const sizeCheck = bytes.readUInt16LE(2);
    if ((size ^ sizeCheck) !== 0xffff) {
        throw new FrameError(`size 0x${size.toString(16)} and its complement 0x${sizeCheck.toString(16)} disagree`);
    }
    if (size < HEADER_LENGTH || size > bytes.length) {
        throw new FrameError(`size ${size} outside ${HEADER_LENGTH}..${bytes.length}`);
    }
    const frame = {
        size,
        sequence: bytes[4],
        channel: bytes[5] & 0x0f,
        headerLength: bytes[7],
    };
    if (frame.headerLength < HEADER_LENGTH || frame.headerLength > size) {
        throw new FrameError(`header length ${frame.headerLength} outside ${HEADER_LENGTH}..${size}`);
    }
    const body = bytes.subarray(frame.headerLength, size);
    if (frame.channel === CHANNEL_CONTROL) {
        if (body.length < IOCTL_HEADER_LENGTH) {
            throw new FrameError('control frame without an ioctl header');
        }
        const flags = body.readUInt32LE(8);
        frame.ioctl = {
            cmd: body.readUInt32LE(0),
            length: body.readUInt32LE(4) & 0xffff,
            flags,
            set: (flags & IOCTL_FLAG_SET) !== 0,
            iface: (flags >>> IOCTL_IF_SHIFT) & 0xf,
            id: flags >>> IOCTL_ID_SHIFT,
            data: Buffer.from(body.subarray(IOCTL_HEADER_LENGTH)),
        };
    } else if (frame.channel === CHANNEL_DATA) {
        if (body.length < BDC_HEADER_LENGTH) {
            throw new FrameError('data frame without a BDC header');
        }
        const offset = BDC_HEADER_LENGTH + body[3] * 4;
        frame.iface = body[2];
        frame.ethernet = Buffer.from(body.subarray(offset));
    } else {
        throw new FrameError(`the host does not send on channel ${frame.channel}`);
    }
    return frame;
}

/**
 * A frame from the chip to the host. `headerLength` is where the payload
 * starts; the bytes between the 12-byte header and it are padding.
 */
function buildFrame(channel, payload, { sequence, credit, headerLength = HEADER_LENGTH }) {
    const size = headerLength + payload.length;
    const frame = Buffer.alloc(size);
    frame.writeUInt16LE(size, 0);
    frame.writeUInt16LE(~size & 0xffff, 2);
    frame[4] = sequence & 0xff;
    frame[5] = channel;
    frame[6] = 0;                   // next length: no glomming
    frame[7] = headerLength;
    frame[8] = 0;                   // wireless flow control: never stopped
    frame[9] = credit & 0xff;
    payload.copy(frame, headerLength);
    return frame;
}

/** The header-only frame that just updates the host's credit. */
function buildCreditFrame({ sequence, credit }) {
    return buildFrame(CHANNEL_DATA, Buffer.alloc(0), { sequence, credit });
}

/** The ioctl reply body: the request's cmd and id echoed, the data, a status. */
function ioctlReply(request, data, status = 0) {
    const body = Buffer.alloc(IOCTL_HEADER_LENGTH + data.length);
    body.writeUInt32LE(request.cmd, 0);
    body.writeUInt32LE(data.length & 0xffff, 4);
    let flags = (request.flags & ~IOCTL_FLAG_ERROR) >>> 0;
    if (status !== 0) {
        flags |= IOCTL_FLAG_ERROR;
    }
    body.writeUInt32LE(flags >>> 0, 8);
    body.writeInt32LE(status, 12);
    data.copy(body, IOCTL_HEADER_LENGTH);
    return body;
}

/** A BDC header and the Ethernet frame after it, for the event and data channels. */
function bdcPayload(iface, ethernet) {
    const payload = Buffer.alloc(BDC_HEADER_LENGTH + ethernet.length);
    payload[0] = 0x20;              // BDC protocol version 2
    payload[1] = 0;                 // priority
    payload[2] = iface;
    payload[3] = 0;                 // data offset, in words
    ethernet.copy(payload, BDC_HEADER_LENGTH);
    return payload;
}

/** The host side of a control request, for tests and the bus dump decoder. */
function buildHostIoctl({ cmd, set, iface = 0, id, data, sequence = 0 }) {
    const body = Buffer.alloc(IOCTL_HEADER_LENGTH + data.length);
    body.writeUInt32LE(cmd, 0);
    body.writeUInt32LE(data.length & 0xffff, 4);
    body.writeUInt32LE(((id << IOCTL_ID_SHIFT) | (set ? IOCTL_FLAG_SET : 0) | (iface << IOCTL_IF_SHIFT)) >>> 0, 8);
    body.writeUInt32LE(0, 12);
    data.copy(body, IOCTL_HEADER_LENGTH);
    return buildFrame(CHANNEL_CONTROL, body, { sequence, credit: 0 });
}

/** The host side of a data frame (cyw43_ll_send_ethernet: 2 bytes of padding, then BDC). */
function buildHostData({ iface = 0, ethernet, sequence = 0 }) {
    const body = Buffer.alloc(2 + BDC_HEADER_LENGTH + ethernet.length);
    body[2] = 0x20;
    body[4] = iface;
    ethernet.copy(body, 2 + BDC_HEADER_LENGTH);
    const frame = buildFrame(CHANNEL_DATA, body, { sequence, credit: 0 });
    frame[7] = HEADER_LENGTH + 2;
    return frame;
}

module.exports = {
    HEADER_LENGTH, IOCTL_HEADER_LENGTH, BDC_HEADER_LENGTH,
    CHANNEL_CONTROL, CHANNEL_EVENT, CHANNEL_DATA,
    IOCTL_FLAG_ERROR, IOCTL_FLAG_SET,
    FrameError, parseHostFrame, buildFrame, buildCreditFrame, ioctlReply, bdcPayload,
    buildHostIoctl, buildHostData,
};
