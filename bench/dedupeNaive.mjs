// The peer of `dedupe run` in bench/dedupe.ts: what one writes by hand in Node — stream every file
// through gunzip and readline in partition order, JSON.parse each line, keep the latest line per key in
// a Map (ties: the later file wins), write the winners as JSONL. Prints a JSON summary on stdout.
//   node bench/dedupeNaive.mjs DIR OUT KEY1,KEY2 ORDER_COL
import { createReadStream, createWriteStream, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const [dir, out, keyList, orderCol] = process.argv.slice(2);
const keys = keyList.split(',');
const t0 = performance.now();
const walk = d => readdirSync(d, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
const files = walk(dir).filter(f => /\.jsonl(\.\d{2})?(\.gz)?$/.test(f)).sort();
const best = new Map();
let rowsIn = 0;
for (const file of files) {
  const input = createReadStream(file);
  const rl = createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    rowsIn++;
    const row = JSON.parse(line);
    const k = keys.map(c => row[c]).join('\u0001');
    const v = row[orderCol];
    const ts = v == null ? -Infinity : Date.parse(String(v).replace(' ', 'T'));
    const cur = best.get(k);
    if (!cur || ts >= cur.ts) best.set(k, { ts, line });
  }
}
const w = createWriteStream(out);
for (const { line } of best.values()) if (!w.write(line + '\n')) await new Promise(r => w.once('drain', r));
await new Promise(r => w.end(r));
console.log(JSON.stringify({ rowsIn, rowsOut: best.size, seconds: (performance.now() - t0) / 1000 }));
