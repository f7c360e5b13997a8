import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PreviewError } from '../../src/core/errors';
import { inferColumns, splitLines } from '../../src/core/jsonlLines';
import { encryptForRecipient, generateKeyPair, unlockPrivateKey } from '../../src/core/pgp';
import { previewObject } from '../../src/core/preview';

const row = (i: number) => JSON.stringify({ id: String(i), n: i, x: i % 2 ? 1.5 : 2, ok: i % 3 === 0, ts: '2024-01-01T00:00:00Z', opt: i % 2 ? null : 'a' });

async function* chunks(...parts: Array<string | Buffer>) {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

describe('preview: line splitting and inference', () => {
  it('splits across chunk borders, drops \\r, caps long lines and marks an unterminated last line', async () => {
    const lines = [];
    for await (const l of splitLines(chunks('a\r\nbb', 'b\n', 'x'.repeat(10), 'yy\nlast'), 8)) lines.push(l);
    assert.deepEqual(lines.map(l => [l.number, l.bytes.toString(), l.terminated, l.droppedBytes]), [
      [1, 'a', true, 0],
      [2, 'bbb', true, 0],
      [3, 'xxxxxxxx', true, 4],
      [4, 'last', false, 0],
    ]);
  });

  it('infers columns in first-seen order with types and nullability', () => {
    const cols = inferColumns([{ a: 1, b: 'x', t: '2024-01-01T00:00:00Z' }, { a: 2.5, b: null, d: '2024-01-02' }, [1]]);
    assert.deepEqual(cols.map(c => [c.name, c.types, c.nullable, c.present]), [
      ['a', ['number'], false, 2],
      ['b', ['string'], true, 2],
      ['t', ['timestamp'], true, 1],
      ['d', ['date'], true, 1],
    ]);
  });
});

describe('preview: local files', () => {
  let dir: string;
  before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preview-')); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('reads the first N records of a multi-member gzip file without reading the rest', async () => {
    // random filler so that the file does not compress to almost nothing
    const text = Array.from({ length: 50_000 }, (_, i) => row(i).slice(0, -1) + `,"r":"${randomBytes(40).toString('hex')}"}`).join('\n') + '\n';
    const half = text.indexOf('\n', text.length / 2) + 1;
    const file = path.join(dir, 'big.jsonl.gz');
    await fs.writeFile(file, Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));
    const size = (await fs.stat(file)).size;
    const r = await previewObject({ kind: 'file', path: file }, { limit: 5 });
    assert.equal(r.compression, 'gzip');
    assert.deepEqual(r.records.map(x => x.line), [1, 2, 3, 4, 5]);
    assert.deepEqual((r.records[4].value as { id: string }).id, '4');
    assert.equal(r.complete, false);
    assert.ok(size > 2_000_000 && r.bytesRead <= 256 * 1024, `read ${r.bytesRead} of ${size} bytes`);
    assert.deepEqual(r.columns.map(c => c.name), ['id', 'n', 'x', 'ok', 'ts', 'opt', 'r']);
    assert.deepEqual(r.problems, []);

    // reading across the member boundary
    const all = await previewObject({ kind: 'file', path: file }, { limit: 50_000 });
    assert.equal(all.records.length, 50_000);
    assert.equal(all.complete, true);
  });

  it('reports invalid JSON, invalid UTF-8 and a truncated last line with their line numbers', async () => {
    const file = path.join(dir, 'bad.jsonl');
    await fs.writeFile(file, Buffer.concat([
      Buffer.from(`${row(1)}\n{"broken": \n\n`),
      Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n'),
      Buffer.from(`${row(4)}\n{"id":"5","cut`),
    ]));
    const r = await previewObject({ kind: 'file', path: file }, { limit: 10 });
    assert.deepEqual(r.records.map(x => x.line), [1, 2, 4, 5, 6]);
    assert.deepEqual(r.problems.map(p => [p.line, p.kind]), [[2, 'invalid-json'], [4, 'invalid-utf8'], [6, 'truncated']]);
    assert.equal(r.complete, true);
    assert.equal((r.records[2].value as { name: string }).name, 'caf\ufffd');
  });

  it('keeps the records before a truncated gzip stream and reports where it broke', async () => {
    const gz = gzipSync(Array.from({ length: 5000 }, (_, i) => row(i)).join('\n') + '\n');
    const file = path.join(dir, 'cut.jsonl.gz');
    await fs.writeFile(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await previewObject({ kind: 'file', path: file }, { limit: 100_000 });
    assert.ok(r.records.length > 100 && r.records.length < 5000);
    const last = r.problems.at(-1)!;
    assert.equal(last.kind, 'stream-error');
    assert.match(last.message, /truncated/);
  });

  it('caps line length and says so', async () => {
    const file = path.join(dir, 'long.jsonl');
    await fs.writeFile(file, `{"a":"${'x'.repeat(5000)}"}\n${row(2)}\n`);
    const r = await previewObject({ kind: 'file', path: file }, { limit: 2, maxLineBytes: 1000 });
    assert.deepEqual(r.problems.map(p => [p.line, p.kind]), [[1, 'line-too-long']]);
    assert.equal((r.records[1].value as { id: string }).id, '2');
  });

  it('decrypts .enc files with the key, and asks for one without it', async function () {
    this.timeout(20_000);
    const pair = await generateKeyPair({ name: 'Preview Test', email: 'p@example.com', passphrase: 'pw' });
    const key = await unlockPrivateKey(pair.privateKeyArmored, 'pw');
    const gz = gzipSync(Array.from({ length: 1000 }, (_, i) => row(i)).join('\n') + '\n');
    const file = path.join(dir, 'x.jsonl.gz.enc');
    await fs.writeFile(file, (await encryptForRecipient(gz, pair.publicKeyArmored)) as Uint8Array);
    const r = await previewObject({ kind: 'file', path: file }, { limit: 3, key });
    assert.equal(r.encrypted, true);
    assert.equal(r.compression, 'gzip');
    assert.deepEqual(r.records.map(x => (x.value as { id: string }).id), ['0', '1', '2']);
    await assert.rejects(previewObject({ kind: 'file', path: file }), (e: unknown) => e instanceof PreviewError && e.code === 'preview.key-needed');
  });

  it('fails with advice for a missing file', async () => {
    await assert.rejects(previewObject({ kind: 'file', path: path.join(dir, 'nope.jsonl') }), (e: unknown) => e instanceof PreviewError && /no such file/.test(e.message));
  });
});
