#!/usr/bin/env node
// The boot test of a Pico W image in rp2040js (no WiFi chip emulated): each check prints one line,
// "ok" or "FAIL", and the run ends with "N passed, N failed". README "Boot test in an emulator".
//
//   node tests/emu/boot_check.js --firmware netman.uf2 --bootrom bootrom.bin [--stock stock.uf2]
//
// With --stock, the stock MicroPython image boots too: the checks that need no netman run on it
// and the heap figures are compared.

import { existsSync, readFileSync } from 'fs';
import { parseArgs } from 'util';
import { Pico } from './lib/pico.js';
import { Repl } from './lib/repl.js';
import { Checks, lastLine, outcome, verdicts } from './lib/checks.js';

// "Promptly": a start with no chip must fail within this much simulated time, with no join attempt
// (the old port took ~740 ms to give up on one). The driver's own bring-up cannot take less than
// 350 ms to find no chip: cyw43_ensure_up powers it (20 + 50 ms, cyw43_ctrl.c), cyw43_spi_reset
// again (20 + 250 ms, pico-sdk cyw43_bus_pio_spi.c), then ten test-register reads 1 ms apart
// (cyw43_ll_bus_init).
const NO_RADIO_BOUND_MS = 500;

// How many DMA channels MicroPython's rp2.DMA() can still claim (each failed bring-up used to keep
// two, with the bus's PIO state machine).
const FREE_DMA = 'import rp2\nchannels = []\ntry:\n    while True:\n        channels.append(rp2.DMA())\nexcept Exception:\n    pass\nprint(len(channels))\nfor c in channels:\n    c.close()\ndel channels';

// Every way an application can start the network (README "Station mode", "Access point").
const START_FORMS = [
    ['start(sta=ssid+psk)', 'netman.start(sta={"ssid": "emu-net", "psk": "secret123"})'],
    ['start(sta=managed)', 'netman.start(sta={"managed": True})'],
    ['start(sta=networks)', 'netman.start(sta={"networks": [("emu-net", "secret123")]})'],
    ['start(ap=...)', 'netman.start(ap={"ssid": "emu-ap", "psk": "secret123"})'],
    ['start(sta+ap)', 'netman.start(sta={"ssid": "emu-net", "psk": "secret123"}, ap={"ssid": "emu-ap", "psk": "secret123"})'],
    ['start(sta+sntp+mdns)', 'netman.start(sta={"ssid": "emu-net", "psk": "secret123"}, sntp={"host": "127.0.0.1"}, mdns={"hostname": "emu"})'],
    ['start({dict})', 'netman.start({"sta": {"ssid": "emu-net", "psk": "secret123"}})'],
    ['start([proplist])', 'netman.start([("sta", [("ssid", "emu-net"), ("psk", "secret123")])])'],
    ['wait_for_sta()', 'netman.wait_for_sta(ssid="emu-net", psk="secret123", timeout_ms=3000)'],
    ['wait_for_ap()', 'netman.wait_for_ap(ssid="emu-ap", psk="secret123", timeout_ms=3000)'],
];

// Configuration errors: the message must name the key (README "Errors, secrets, callbacks").
const CONFIG_ERRORS = [
    ['sta psk too short', 'netman.start(sta={"ssid": "x", "psk": "short"})', 'psk'],
    ['misspelt sta key', 'netman.start(sta={"ssdi": "x"})', 'ssdi'],
    ['ap max_connections out of range', 'netman.start(ap={"ssid": "x", "max_connections": 99})', 'max_connections'],
    ['unknown section', 'netman.start(stb={"ssid": "x"})', 'stb'],
];

const HEAP = 'import gc\ngc.collect()\nprint(gc.mem_free())';

async function boot(pico) {
    const repl = new Repl(pico);
    await repl.connect();
    return repl;
}

async function heapFigures(repl, withNetman) {
    const afterBoot = parseInt(await repl.run(HEAP), 10);
    let afterImport = null;
    if (withNetman) {
        afterImport = parseInt(await repl.run('import netman\n' + HEAP), 10);
    }
    return { afterBoot, afterImport };
}

// Checks that hold for any MicroPython image: the board, soft reset, the flash filesystem.
async function commonChecks(checks, pico, repl) {
    await checks.check('the banner names the board', async () => {
        const banner = await repl.banner();
        return [/Raspberry Pi Pico W with RP2040/.test(banner), banner];
    });
    await checks.check('a file written to the flash filesystem', async () => {
        const out = await repl.run('with open("/emu-check.txt", "w") as f:\n    f.write("kept")\nprint(open("/emu-check.txt").read())');
        return [out.trim() === 'kept', `flash: ${pico.flashStats.erases} sector erases, ${pico.flashStats.programs} page programs so far`];
    });
    await checks.check('the file survives a soft reset', async () => {
        await repl.softReset();
        const out = await repl.run('print(open("/emu-check.txt").read())');
        return [out.trim() === 'kept', out.trim()];
    });
    await checks.check('the file survives a power cycle', async () => {
        pico.powerCycle();
        repl = await boot(pico);
        const out = await repl.run('print(open("/emu-check.txt").read())\nimport os\nos.remove("/emu-check.txt")');
        return [out.trim() === 'kept', out.trim()];
    });
    return repl;
}

async function netmanChecks(checks, pico, repl) {
    await checks.check('import netman; netman.MAX_SCAN_RESULTS', async () => {
        const out = (await repl.run('import netman\nprint(netman.__version__, netman.MAX_SCAN_RESULTS)')).trim();
        const [, max] = out.split(' ');
        return [parseInt(max, 10) > 0, `netman ${out.replace(' ', ', MAX_SCAN_RESULTS = ')}`];
    });
    for (const [what, code, key] of CONFIG_ERRORS) {
        await checks.check(`config error names the key: ${what}`, async () => {
            const out = verdicts(await repl.run(outcome(code)));
            return [/^EXC (ValueError|TypeError) /.test(out) && out.includes(key), out];
        });
    }
    const dmaBefore = parseInt(await repl.run(FREE_DMA), 10);
    for (const [what, code] of START_FORMS) {
        await checks.check(`no chip: ${what} raises NetError("no_radio") within ${NO_RADIO_BOUND_MS} ms, netman still startable`, async () => {
            const { out, err, simMs } = await repl.exec(outcome(code), 30000);
            const state = verdicts(await repl.run(outcome('netman.sta_status()') + '\nnetman.stop()'));
            const ok = verdicts(out) === 'EXC NetError no_radio' && simMs <= NO_RADIO_BOUND_MS && state === "RET 'inactive'";
            return [ok, `${verdicts(out) || err.trim()} after ${simMs.toFixed(0)} ms; then sta_status ${state}`];
        });
    }
    await checks.check('no chip: the failed starts leave the DMA channels free', async () => {
        const dmaAfter = parseInt(await repl.run(FREE_DMA), 10);
        return [dmaAfter === dmaBefore && dmaBefore > 0, `rp2.DMA() can claim ${dmaAfter} channels after ${START_FORMS.length} failed starts, ${dmaBefore} before`];
    });
    await checks.check('netman.espnow.ESPNow() raises OSError ENODEV', async () => {
        const out = await repl.run(outcome('__import__("netman.espnow").espnow.ESPNow()') + '\nimport errno\nprint(errno.ENODEV)');
        const line = verdicts(out);
        const enodev = lastLine(out);
        return [line.startsWith(`EXC OSError (${enodev},`), line];
    });
    await checks.check('Ctrl-C during start() leaves a clean state', async () => {
        // The interrupt lands at several points of the start; each time the next start must be
        // refused for the missing radio, not because a half-started network is still there.
        const seen = [];
        for (const delayMs of [0.2, 1, 5, 20, 100, 400]) {
            await repl.send('netman.start(sta={"ssid": "emu-net", "psk": "secret123"})');
            await pico.runFor(delayMs);
            repl.interrupt();
            const { err } = await repl.answer(30000);
            const frames = [...err.matchAll(/File "([^"]+)", line (\d+), in (\S+)/g)];
            const where = frames.length ? ` in ${frames.at(-1)[3]} (${frames.at(-1)[1]}:${frames.at(-1)[2]})` : '';
            const ended = /KeyboardInterrupt/.test(err) ? `interrupted${where}` : (err.trim().split('\n').pop() || 'returned');
            const after = verdicts(await repl.run(outcome('netman.sta_status()') + '\nnetman.stop()\n' + outcome(START_FORMS[0][1])));
            seen.push({ delayMs, ended, after });
        }
        // Clean: nothing left running, and the next start is not refused as already started (it
        // fails for the missing chip, whatever reason the port gives).
        const clean = seen.every((s) => s.after.startsWith("RET 'inactive', EXC NetError") && !s.after.includes('already_started'));
        const interrupted = seen.filter((s) => s.ended.startsWith('interrupted')).length;
        const detail = seen.map((s) => `${s.delayMs} ms: ${s.ended} → ${s.after}`).join('; ');
        return [clean && interrupted > 0, `${interrupted} of ${seen.length} interrupts landed inside start(); ${detail}`];
    });
    await checks.check('soft reset brings the REPL back with netman stopped', async () => {
        // A start before the reset (without a chip it ends with no_radio); after the reset netman
        // is stopped and start() is not refused as already started.
        await repl.run(outcome(START_FORMS[1][1]));
        const said = await repl.softReset();
        const out = verdicts(await repl.run('import netman\n' + outcome('netman.sta_status()') + '\n' + outcome(START_FORMS[1][1]) + '\nnetman.stop()'));
        return [out.startsWith("RET 'inactive', ") && !out.includes('already_started'), `${said.includes('soft reboot') ? 'soft reboot' : JSON.stringify(said)}; then ${out}`];
    });
    const storeAndCompare = [
        'import netman.credentials as c',
        'c.store(sta=("emu-net", "secret123"))',
        'print(c.location())',
    ].join('\n');
    // The PSK is compared on the board: it never crosses the serial port.
    const compare = 'import netman.credentials as c\n_s = c.load()["sta"]\nprint(_s is not None and tuple(_s) == (b"emu-net", b"secret123") or (_s is not None and tuple(_s) == ("emu-net", "secret123")), repr(_s))';
    await checks.check('credentials stored on the flash filesystem', async () => {
        const before = pico.flashStats.programs;
        const where = lastLine(await repl.run(storeAndCompare));
        const out = lastLine(await repl.run(compare));
        return [out.startsWith('True') && pico.flashStats.programs > before, `${where}: ${out.replace(/^True /, '')}`];
    });
    await checks.check('credentials survive a soft reset', async () => {
        await repl.softReset();
        const out = lastLine(await repl.run(compare));
        return [out.startsWith('True'), out.replace(/^True /, '')];
    });
    await checks.check('credentials survive a power cycle', async () => {
        pico.powerCycle();
        repl = await boot(pico);
        const out = lastLine(await repl.run(compare + '\nc.clear()'));
        return [out.startsWith('True'), out.replace(/^True /, '')];
    });
    return repl;
}

async function main() {
    const { values } = parseArgs({
        options: {
            firmware: { type: 'string' },
            bootrom: { type: 'string' },
            stock: { type: 'string' },
            verbose: { type: 'boolean', default: false },
        },
    });
    if (!values.firmware || !values.bootrom) {
        console.error('usage: boot_check.js --firmware IMAGE.uf2 --bootrom BOOTROM.bin [--stock STOCK.uf2]');
        return 2;
    }
    // rp2040js warns on the console about registers it lacks (the inter-core FIFO at a soft
    // reset): counted, shown with --verbose.
    let emulatorWarnings = 0;
    if (!values.verbose) {
        console.warn = () => {
            emulatorWarnings += 1;
        };
    }
    for (const [option, path] of Object.entries(values)) {
        if (typeof path === 'string' && !existsSync(path)) {
            console.error(`boot_check.js: --${option} ${path}: no such file`);
            return 2;
        }
    }
    const bootrom = readFileSync(values.bootrom);
    const started = Date.now();
    const results = [];
    const images = [['netman', values.firmware]];
    if (values.stock) {
        images.push(['stock', values.stock]);
    }
    for (const [label, path] of images) {
        const checks = new Checks(label);
        let heap = null;
        let pico = null;
        try {
            pico = new Pico({ bootrom, image: readFileSync(path), verbose: values.verbose, log: (m) => console.log(`     ${label}: ${m}`) });
            let repl = null;
            await checks.check(`boots to the REPL (${path})`, async () => {
                repl = await boot(pico);
                return `raw REPL after ${(pico.nanos / 1e6).toFixed(1)} ms of simulated time`;
            });
            if (repl) {
                heap = await heapFigures(repl, label === 'netman');
                repl = await commonChecks(checks, pico, repl);
                if (label === 'netman') {
                    await netmanChecks(checks, pico, repl);
                }
            }
        } catch (e) {
            checks.report(false, 'the run', e.message);
        }
        results.push({ label, checks, heap });
        if (pico?.emulatorErrors || emulatorWarnings) {
            console.log(`     ${label}: rp2040js reported ${pico.emulatorErrors + emulatorWarnings} accesses to registers it does not emulate (--verbose shows them)`);
            emulatorWarnings = 0;
        }
    }
    for (const { label, heap } of results) {
        if (heap) {
            const imported = heap.afterImport === null ? '' : `, after import netman ${heap.afterImport} (import costs ${heap.afterBoot - heap.afterImport})`;
            console.log(`heap  ${label}: gc.mem_free() after boot ${heap.afterBoot}${imported}`);
        }
    }
    const [netman, stock] = results;
    if (stock?.heap && netman.heap) {
        console.log(`heap  netman costs ${stock.heap.afterBoot - netman.heap.afterBoot} bytes of heap at boot against stock, ` +
            `${stock.heap.afterBoot - netman.heap.afterImport} after import netman`);
    }
    const passed = results.reduce((n, r) => n + r.checks.passed, 0);
    const failed = results.reduce((n, r) => n + r.checks.failed, 0);
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s wall time)`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
