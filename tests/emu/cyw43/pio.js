'use strict';
// Attach the chip to rp2040js at the PIO FIFOs of the pico-sdk's cyw43 bus
// state machine (cyw43_bus_pio_spi.c). Per transaction the host disables the
// state machine, loads the bit counts into X and Y with exec'd `out x, 32` /
// `out y, 32`, points a byte-swapping DMA at the TX FIFO (and for a read one
// at the RX FIFO), and enables it; a write-only transfer ends when
// FDEBUG.TXSTALL shows the state machine ran dry. Here the state machine's
// stepping is replaced by the transaction: the words it would have shifted
// out go to the chip as they reach the TX FIFO, the chip's answer is put in
// the RX FIFO as the DMA takes it, and TXSTALL is raised once a write is
// done. CS (GPIO25) frames the transactions for the chip, WL_REG_ON (GPIO23)
// powers it, and the chip drives host wake on GPIO24 (DATA is the same pin)
// while CS is high.

const PINS = { regOn: 23, data: 24, cs: 25, clock: 29 };
const PIN_HIGH = 1;               // rp2040js GPIOPinState.High
const FDEBUG_TXSTALL = 1 << 24;

function wordsToBytes(words) {
    const bytes = Buffer.alloc(words.length * 4);
    words.forEach((word, i) => bytes.writeUInt32BE(word >>> 0, i * 4));
    return bytes;
}

/** Hook one state machine; `bus` has spiWrite(bytes) and spiRead(bytes, length). */
function hookStateMachine(sm, bus, pins) {
    const originalStep = sm.step.bind(sm);
    const originalWriteFIFO = sm.writeFIFO.bind(sm);
    const originalReadFIFO = sm.readFIFO.bind(sm);
    let enabled = sm.enabled;
    let transfer = null;

    const isBus = () => sm.outBase === pins.data && sm.inBase === pins.data && sm.sidesetBase === pins.clock;

    function finishTx() {
        const bytes = wordsToBytes(transfer.words);
        if (transfer.rxWords > 0) {
            transfer.response = bus.spiRead(bytes, transfer.rxWords * 4);
            refill();
        } else {
            bus.spiWrite(bytes);
            // The state machine would now stall on its empty FIFO.
            sm.pio.txStall |= FDEBUG_TXSTALL << sm.index;
            sm.pio.fdebug |= sm.pio.txStall;
        }
    }

    function take(word) {
        if (transfer.words.length >= transfer.txWords) {
            return;   // more than the host said it would send: dropped, as the bus would
        }
        transfer.words.push(word);
        if (transfer.words.length === transfer.txWords) {
            finishTx();
        }
    }

    function refill() {
        while (!sm.rxFIFO.full && transfer.rxIndex < transfer.rxWords) {
            sm.rxFIFO.push(transfer.response.readUInt32BE(4 * transfer.rxIndex++));
        }
        sm.updateDMARx();
        sm.pio.checkInterrupts();
    }

    function start() {
        if (!isBus()) {
            return;
        }
        transfer = {
            txWords: Math.floor((sm.x + 1) / 32),
            // A write-only transfer leaves Y at 0; a read has at least 32 bits to take in.
            rxWords: sm.y === 0 ? 0 : Math.floor((sm.y + 1) / 32),
            words: [], response: null, rxIndex: 0,
        };
        sm.rxFIFO.reset();
        sm.pio.txStall &= ~(FDEBUG_TXSTALL << sm.index);
        while (!sm.txFIFO.empty && transfer.words.length < transfer.txWords) {
            take(sm.txFIFO.pull());
        }
        sm.updateDMATx();
    }

    Object.defineProperty(sm, 'enabled', {
        configurable: true,
        get: () => enabled,
        set: (value) => {
            const was = enabled;
            enabled = value;
            if (value && !was) {
                start();
            } else if (!value && was) {
                transfer = null;
            }
        },
    });
    sm.step = () => {
        if (transfer === null) {
            originalStep();
        }
    };
    Object.defineProperty(sm, 'carriesBusTransfer', { configurable: true, get: () => transfer !== null });
    sm.writeFIFO = (value) => {
        if (transfer === null) {
            originalWriteFIFO(value);
            return;
        }
        take(value >>> 0);
        sm.updateDMATx();
    };
    sm.readFIFO = () => {
        const value = originalReadFIFO();
        if (transfer !== null && transfer.response !== null) {
            refill();
        }
        return value;
    };
}

/**
 * rp2040js runs a PIO block (every state machine in it) from a timer for as
 * long as one of its state machines is enabled; the bus state machine stays
 * enabled between transactions, with nothing left to do. Let the block rest
 * while the bus is all that is enabled: `stopped` makes rp2040js start it
 * again at the next CTRL write that enables anything.
 */
function hookPioBlock(pio) {
    const originalRun = pio.run.bind(pio);
    pio.run = () => {
        if (pio.machines.some((sm) => sm.enabled && !sm.carriesBusTransfer)) {
            originalRun();
        } else {
            pio.stopped = true;
            pio.runTimer = null;
        }
    };
}

/** Attach `chip` (a Cyw43) to an rp2040js RP2040. */
function attachToRp2040(rp2040, chip, pins = PINS) {
    for (const pio of rp2040.pio) {
        for (const sm of pio.machines) {
            hookStateMachine(sm, chip, pins);
        }
        hookPioBlock(pio);
    }
    const regOn = rp2040.gpio[pins.regOn];
    const cs = rp2040.gpio[pins.cs];
    const hostWake = rp2040.gpio[pins.data];
    regOn.addListener((state) => (state === PIN_HIGH ? chip.powerOn() : chip.powerOff()));
    cs.addListener((state) => chip.setChipSelect(state !== 0));
    chip.onHostWake = (level) => hostWake.setInputValue(level);
    if (regOn.value === PIN_HIGH) {
        chip.powerOn();
    }
}

module.exports = { attachToRp2040, hookStateMachine, hookPioBlock, PINS };
