import { readFileSync } from 'fs';
import { Pico } from '/work/wt/emu/tests/emu/lib/pico.js';
import { Repl } from '/work/wt/emu/tests/emu/lib/repl.js';
const pico = new Pico({ bootrom: readFileSync('/work/rp2env/bootrom.bin'), image: readFileSync(process.argv[2]) });
const repl = new Repl(pico); await repl.connect();
await repl.run('import netman');
for (const d of [0.2, 1, 5, 20, 100, 400, 100]) {
  await repl.send('netman.start(sta={"ssid": "emu-net", "psk": "secret123"})');
  await pico.runFor(d); repl.interrupt();
  const t = Date.now();
  try {
  const r = await repl.answer(3000);
  const st = await repl.run('print(netman.sta_status(), netman._network)\nnetman.stop()');
  console.log(`--- Ctrl-C ${d} ms after start(sta=...) (${Date.now()-t} ms wall):\n${r.out}${r.err}--> ${st}`);
  } catch (e) { console.log('ERR', e.message, JSON.stringify(repl.fresh)); process.exit(1); }
}
