import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileMd5, md5x4Module, openSslFileMd5, simdMd5Available } from '../../src/core/download/md5simd';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('download: MD5 of files, four at a time (WebAssembly SIMD)', () => {
  let dir: string;
  let n = 0;
  before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'md5simd-')); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  async function file(body: Buffer): Promise<string> {
    const f = path.join(dir, `f${n++}`);
    await fs.writeFile(f, body);
    return f;
  }

  it('assembles a valid module, and SIMD runs here', () => {
    assert.equal(WebAssembly.validate(md5x4Module()), true);
    assert.equal(simdMd5Available(), true);
  });

  it('hashes every padding case and sizes across the staging area, in batches of any size', async () => {
    // 55/56/63/64/65 and 119/120 bytes straddle the padding rules; 256 KiB ± 1 the staging area.
    const sizes = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 65_536, 262_143, 262_144, 262_145, 1_000_003, 3_800_000];
    const bodies = sizes.map(s => randomBytes(s));
    const files = await Promise.all(bodies.map(file));
    const h = fileMd5();
    for (const batch of [1, 3, 4, 5, 9, sizes.length]) {
      const got = await Promise.all(files.slice(0, batch).map(f => h.hash(f)));
      assert.deepEqual(got, bodies.slice(0, batch).map(md5), `batch of ${batch}`);
    }
  });

  it('takes files that arrive while others are being hashed', async () => {
    const bodies = Array.from({ length: 11 }, (_, i) => randomBytes(200_000 + i * 150_001));
    const files = await Promise.all(bodies.map(file));
    const h = fileMd5();
    const pending: Array<Promise<string>> = [];
    for (const f of files) {
      pending.push(h.hash(f));
      await new Promise(r => setImmediate(r)); // one slice runs between arrivals
    }
    assert.deepEqual(await Promise.all(pending), bodies.map(md5));
  });

  it('lets a lone file wait briefly for partners while downloads run, then hashes it anyway', async () => {
    const body = randomBytes(100_000);
    const f = await file(body);
    const h = fileMd5({ running: () => 3 }); // downloads that never finish
    const t0 = Date.now();
    assert.equal(await h.hash(f), md5(body));
    const waited = Date.now() - t0;
    assert.ok(waited >= 40 && waited < 2000, `waited ${waited} ms`);
    const idle = fileMd5({ running: () => 0 });
    const t1 = Date.now();
    assert.equal(await idle.hash(f), md5(body));
    assert.ok(Date.now() - t1 < 40, 'no wait when nothing else is downloading');
  });

  it('rejects a missing file without disturbing the others', async () => {
    const bodies = [randomBytes(70_000), randomBytes(5)];
    const files = await Promise.all(bodies.map(file));
    const h = fileMd5();
    const results = await Promise.allSettled([h.hash(files[0]), h.hash(path.join(dir, 'missing')), h.hash(files[1])]);
    assert.equal(results[0].status === 'fulfilled' && results[0].value, md5(bodies[0]));
    assert.equal(results[1].status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /ENOENT/);
    assert.equal(results[2].status === 'fulfilled' && results[2].value, md5(bodies[1]));
  });

  it('falls back to OpenSSL with the same digests', async () => {
    const bodies = [randomBytes(0), randomBytes(123_457)];
    const files = await Promise.all(bodies.map(file));
    const h = fileMd5({ simd: false });
    assert.deepEqual(await Promise.all(files.map(f => h.hash(f))), bodies.map(md5));
    assert.equal(await openSslFileMd5(files[1]), md5(bodies[1]));
  });
});
