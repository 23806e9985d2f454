// MicroPython's raw REPL over the emulated board's USB-CDC port (the protocol mpremote speaks,
// MicroPython's shared/runtime/pyexec.c): Ctrl-A enters it; code, then Ctrl-D, runs it and
// answers "OK", the output, Ctrl-D, the exception text, Ctrl-D and the ">" prompt.

const RAW_PROMPT = 'raw REPL; CTRL-B to exit\r\n>';
const CTRL_A = '\x01';
const CTRL_B = '\x02';
const CTRL_C = '\x03';
const CTRL_D = '\x04';

export class ReplError extends Error {}

export class Repl {
    constructor(pico) {
        this.pico = pico;
        this.mark = 0; // where the output not yet consumed starts
    }

    // Text printed since the last consumed answer.
    get fresh() {
        return this.pico.output.slice(this.mark);
    }

    // Waits for `text` in the fresh output; consumes up to its end and returns what came before it.
    async expect(text, simMs, what) {
        const found = await this.pico.runUntil(() => {
            const at = this.pico.output.indexOf(text, this.mark);
            return at >= 0 ? { at } : null;
        }, simMs, what || JSON.stringify(text));
        const before = this.pico.output.slice(this.mark, found.at);
        this.mark = found.at + text.length;
        return before;
    }

    // After power-on: the USB host has configured the port, then interrupt whatever runs (main.py)
    // and enter the raw REPL.
    async connect(simMs = 3000) {
        await this.pico.runUntil(() => this.pico.usbConnected, simMs, 'the USB-CDC port enumerating');
        await this.enterRaw(simMs);
    }

    async enterRaw(simMs = 3000) {
        this.pico.write(CTRL_C + CTRL_C + CTRL_A);
        await this.expect(RAW_PROMPT, simMs, 'the raw REPL prompt');
    }

    // The friendly REPL's banner (Ctrl-B leaves the raw REPL and prints it), then back to raw.
    async banner(simMs = 3000) {
        this.pico.write(CTRL_B);
        await this.expect('MicroPython', simMs, 'the banner');
        const rest = await this.expect('>>> ', simMs, 'the friendly prompt');
        await this.enterRaw(simMs);
        return ('MicroPython' + rest).split('\r\n')[0];
    }

    // Sends `code` to run; resolves when the board has accepted it ("OK").
    async send(code, simMs = 3000) {
        this.pico.write(code.replace(/\r?\n/g, '\r\n') + CTRL_D);
        const rejected = await this.expect('OK', simMs, 'the raw REPL accepting the code');
        if (rejected.length > 0) {
            throw new ReplError(`unexpected output before OK: ${JSON.stringify(rejected)}`);
        }
    }

    // Waits for the answer to code already sent: {out, err, simMs}.
    async answer(simMs, what = 'the code finishing') {
        const started = this.pico.nanos;
        const out = await this.expect(CTRL_D, simMs, what);
        const err = await this.expect(CTRL_D + '>', simMs, what);
        return { out: out.replace(/\r\n/g, '\n'), err: err.replace(/\r\n/g, '\n'), simMs: (this.pico.nanos - started) / 1e6 };
    }

    // Runs code and returns {out, err, simMs}; simMs bounds the run in simulated time.
    async exec(code, simMs = 5000) {
        await this.send(code);
        return this.answer(simMs, `the code finishing: ${code.split('\n')[0].slice(0, 60)}`);
    }

    // Runs code that must not raise; returns its output.
    async run(code, simMs = 5000) {
        const { out, err } = await this.exec(code, simMs);
        if (err) {
            throw new ReplError(`the board raised:\n${err.trim()}`);
        }
        return out;
    }

    interrupt() {
        this.pico.write(CTRL_C);
    }

    // Soft reset from the raw REPL (Ctrl-D on an empty line); resolves at the new raw prompt.
    async softReset(simMs = 3000) {
        this.pico.write(CTRL_D);
        const said = await this.expect(RAW_PROMPT, simMs, 'the raw REPL after a soft reset');
        return said.replace(/\r\n/g, '\n');
    }
}
