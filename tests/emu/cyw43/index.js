'use strict';
// The CYW43439 model for rp2040js: a chip on netsim's air, attached to the
// emulated board's cyw43 bus as one of the runner's devices (attach(board)
// at every power-on, detach() at power-off; tests/emu/README.md).

const { Cyw43 } = require('./chip');
const { AirLink } = require('./netsim');
const { attachToRp2040 } = require('./pio');
const { SWITCHES, parseSwitches, resolveSwitches } = require('./switches');

/**
 * airPath: netsim's device socket (NETMAN_AIR); name: how the air logs us;
 * mac: the chip's MAC (6 bytes; default: the air assigns one and keeps it
 * across the board's power cycles); switches: see switches.js; portMap,
 * ntpServer: see gateway.js; dump(text): the bus in cyw43_bus_pio_spi.c's dump format (dump.js).
 * Resolves once the air has welcomed the chip.
 */
async function createCyw43Device({ airPath, name = 'picow', mac, switches = {}, portMap, ntpServer, log = console.log,
    trace = false, dump = null }) {
    const air = new AirLink({ path: airPath, name, mac, log });
    const airMac = await air.connect();
    const chip = new Cyw43({ clock: null, air, mac: airMac, switches, portMap, ntpServer, log, trace, dump });
    air.onMessage = (type, fields) => chip.fromAir(type, fields);
    return {
        chip,
        mac: airMac,
        attach(board) {
            chip.timers.bind(board.clock);
            attachToRp2040(board.mcu, chip);
            return { detach: () => chip.powerOff() };
        },
        close() {
            chip.powerOff();
            air.close();
        },
    };
}

module.exports = { createCyw43Device, Cyw43, AirLink, attachToRp2040, SWITCHES, parseSwitches, resolveSwitches };
