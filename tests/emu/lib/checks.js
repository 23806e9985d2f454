// What the emulator checks share: one line per check ("ok" or "FAIL"), and reading a Python
// expression's outcome from the board's output.

// Prints a Python expression's outcome as one line the runner can read: "RET <repr>" or
// "EXC <type> <reason or args>".
export function outcome(expression) {
    return [
        'try:',
        `    _r = ${expression}`,
        '    print("RET", repr(_r))',
        'except Exception as _e:',
        '    print("EXC", type(_e).__name__, getattr(_e, "reason", None) or _e.args)',
    ].join('\n');
}

// The RET/EXC lines of outcome() code, joined by ", "; the firmware's own console lines (such as
// cyw43-driver's "[CYW43] Failed to start CYW43") are left out.
export function verdicts(out) {
    return out.split('\n').filter((line) => /^(RET|EXC) /.test(line)).join(', ');
}

export function lastLine(out) {
    return out.trim().split('\n').pop();
}

export class Checks {
    constructor(label) {
        this.label = label;
        this.passed = 0;
        this.failed = 0;
    }

    report(ok, what, detail) {
        ok ? this.passed++ : this.failed++;
        console.log(`${ok ? 'ok  ' : 'FAIL'} ${this.label}: ${what}${detail ? ' — ' + detail : ''}`);
    }

    // Runs body(); its return value is the detail. A thrown error fails the check with its message.
    async check(what, body) {
        try {
            const result = await body();
            const [ok, detail] = Array.isArray(result) ? result : [true, result];
            this.report(ok, what, detail);
        } catch (e) {
            this.report(false, what, (e.message || String(e)).split('\n').slice(-3).join(' | '));
        }
    }
}
