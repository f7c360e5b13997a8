import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectInputFiles } from '../../src/core/dedupe/files';

describe('dedupe inputs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dedupe-files-'));
    const p1 = path.join(dir, 'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=01');
    const p2 = path.join(dir, 'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=02');
    mkdirSync(p1, { recursive: true });
    mkdirSync(p2, { recursive: true });
    // what `pull --decrypt` leaves: the .enc kept beside its decrypted copy
    writeFileSync(path.join(p1, 'convos_metrics.jsonl.gz.enc'), 'x');
    writeFileSync(path.join(p1, 'convos_metrics.jsonl.gz'), 'x');
    // an .enc alone still counts (the run decrypts it first)
    writeFileSync(path.join(p2, 'convos_metrics.jsonl.gz.enc'), 'x');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a decrypted copy instead of its .enc, so rows are not counted twice', async () => {
    const { files, ignored } = await collectInputFiles(dir, 'convos_metrics');
    assert.deepEqual(files.map(f => path.relative(dir, f.path)).sort(), [
      'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=01/convos_metrics.jsonl.gz',
      'convos_metrics/version=1/format=jsonl/dt=2024-01-01/hr=02/convos_metrics.jsonl.gz.enc',
    ]);
    assert.ok(ignored.some(p => p.endsWith('hr=01/convos_metrics.jsonl.gz.enc')));
  });
});
