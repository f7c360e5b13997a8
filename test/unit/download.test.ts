import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localPathFor } from '../../src/core/download/localPath';
import { acquireOutputLock, Manifest, MANIFEST_FILE } from '../../src/core/download/manifest';
import { backoffDelay, isRetryable, sleep, StalledBodyError } from '../../src/core/download/retry';
import { isSimpleEtag, normalizeEtag, tempPathFor } from '../../src/core/download/transfer';
import { CancellationError, DownloadError } from '../../src/core/errors';

describe('download: local paths', () => {
  const out = path.resolve('/tmp/out');

  it('mirrors the key below the sub-folder', () => {
    const r = localPathFor(out, 'sub/a/f/version=1/format=jsonl/dt=2024-01-01/hr=00/f.jsonl.gz', 'sub/a');
    assert.deepEqual(r, {
      ok: true,
      relative: 'f/version=1/format=jsonl/dt=2024-01-01/hr=00/f.jsonl.gz',
      absolute: path.join(out, 'f/version=1/format=jsonl/dt=2024-01-01/hr=00/f.jsonl.gz'),
    });
  });

  const refused: Array<[string, string]> = [
    ['f/dt=2024-01-01/../../etc/passwd', 'dot-segment'],
    ['f/dt=2024-01-01/..', 'dot-segment'],
    ['f/./x', 'dot-segment'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x', 'absolute'],
    ['f/..\\..\\evil', 'backslash'],
    ['f/a\0b', 'nul'],
    ['f//x', 'empty-segment'],
    ['f/a\nb', 'control-char'],
    ['other/x', 'not-under-prefix'],
  ];
  for (const [key, reason] of refused) {
    it(`refuses ${JSON.stringify(key)} (${reason})`, () => {
      const r = localPathFor(out, key, key.startsWith('other') ? 'sub' : '');
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.reason, reason);
        assert.match(r.message, /refused key/);
      }
    });
  }
});

describe('download: retry policy', () => {
  it('retries throttling, 5xx, dropped and stalled bodies; not 4xx or cancellation', () => {
    assert.ok(isRetryable(Object.assign(new Error('x'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })));
    assert.ok(isRetryable(Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } })));
    assert.ok(isRetryable(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    assert.ok(isRetryable(new Error('aborted')));
    assert.ok(isRetryable(new StalledBodyError(100)));
    assert.ok(isRetryable(Object.assign(new Error('x'), { name: 'TimeoutError' })));
    assert.ok(isRetryable(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'EPIPE' }) })));
    assert.ok(!isRetryable(Object.assign(new Error('x'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })));
    assert.ok(!isRetryable(Object.assign(new Error('x'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })));
    assert.ok(!isRetryable(new CancellationError()));
    assert.ok(!isRetryable(Object.assign(new Error('x'), { name: 'AbortError' })));
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(0, policy, () => 1), 100);
    assert.equal(backoffDelay(3, policy, () => 1), 800);
    assert.equal(backoffDelay(10, policy, () => 1), 1000);
    assert.equal(backoffDelay(3, policy, () => 0), 80);
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(2, policy)));
    assert.ok(seen.size > 1, 'jitter varies the delay');
  });

  it('sleep rejects with a cancellation when aborted', async () => {
    const c = new AbortController();
    const p = sleep(10_000, c.signal);
    c.abort();
    await assert.rejects(p, CancellationError);
  });
});

describe('download: ETags and temp names', () => {
  it('tells simple (MD5) ETags from multipart ones', () => {
    assert.ok(isSimpleEtag('"9e107d9d372bb6826bd81d3542a419d6"'));
    assert.ok(!isSimpleEtag('"9e107d9d372bb6826bd81d3542a419d6-3"'));
    assert.ok(!isSimpleEtag(undefined));
    assert.equal(normalizeEtag('W/"abc"'), 'abc');
  });

  it('names the temp file after the version, hidden, beside the final file', () => {
    const t = tempPathFor('/o/dt=1/f.jsonl.gz', '"abc-2"');
    assert.equal(t, '/o/dt=1/.f.jsonl.gz.abc-2.part');
    assert.notEqual(tempPathFor('/o/f', '"a"'), tempPathFor('/o/f', '"b"'));
  });
});

describe('download: manifest', () => {
  let dir: string;
  before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'manifest-')); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('round-trips entries atomically and matches on size, ETag and LastModified (to the second)', async () => {
    const m = await Manifest.load(dir);
    const lm = new Date('2024-01-01T00:00:00.250Z');
    m.set('a/b', { bucket: 'b', key: 'k', size: 10, etag: '"e1"', lastModified: lm.toISOString(), downloadedAt: new Date().toISOString() });
    await m.save();
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), []);
    const again = await Manifest.load(dir);
    assert.ok(again.matches('a/b', { size: 10, etag: '"e1"', lastModified: new Date('2024-01-01T00:00:00Z') }));
    assert.ok(!again.matches('a/b', { size: 10, etag: '"e2"', lastModified: lm }), 'same size, new ETag');
    assert.ok(!again.matches('a/b', { size: 11, etag: '"e1"', lastModified: lm }));
    assert.ok(!again.matches('a/b', { size: 10, etag: '"e1"', lastModified: new Date('2024-01-02T00:00:00Z') }));
    assert.ok(!again.matches('x', { size: 10 }));
  });

  it('sets an unreadable manifest aside with a warning instead of failing', async () => {
    const d = await fs.mkdtemp(path.join(dir, 'bad-'));
    await fs.writeFile(path.join(d, MANIFEST_FILE), '{not json');
    const warnings: string[] = [];
    const m = await Manifest.load(d, { debug() {}, info() {}, warn: w => warnings.push(w), error() {} });
    assert.equal(m.size, 0);
    assert.equal(warnings.length, 1);
  });

  it('locks the output folder against a concurrent pull, and takes over a stale lock', async () => {
    const d = await fs.mkdtemp(path.join(dir, 'lock-'));
    const release = await acquireOutputLock(d);
    await assert.rejects(acquireOutputLock(d), (e: unknown) => e instanceof DownloadError && e.code === 'download.locked');
    await release();
    await fs.writeFile(path.join(d, '.asapp-exports.lock'), '999999999\n'); // no such process
    const again = await acquireOutputLock(d);
    await again();
  });
});

