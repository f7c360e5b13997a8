// Downloads through the commands: a complete partition, an in-progress one (only after confirming), a date
// range of a feed; files land under the download folder mirroring the S3 layout, byte for byte, with no
// temp files left; .enc files are decrypted with the user's key.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { DownloadSummary } from '../../src/core/download/types';
import { assertNoPendingAnswers, BUCKET, connected, FEED_PATH, nodeAt, run, type Fixture } from './fixture';

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('download', () => {
  let f: Fixture;
  let root: string;
  before(async () => {
    f = await connected();
    // a folder of its own (absolute setting), so what other suites downloaded does not count here
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'asapp-dl-'));
    await vscode.workspace.getConfiguration('asappExports').update('download.folder', root, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('asappExports').update('download.folder', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(root, { recursive: true, force: true });
  });
  afterEach(() => assertNoPendingAnswers(f));

  async function s3Bytes(key: string): Promise<Buffer> {
    const client = f.s3.client();
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } finally {
      client.destroy();
    }
  }

  it('downloads a complete partition into the download folder, byte for byte', async () => {
    const hour = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=00']);
    const summary = await run<DownloadSummary>(f.api, 'asappExports.downloadPartition', hour);
    assert.equal(summary.downloaded.files, 1);
    const rel = 'convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=00/convos_metrics.jsonl.gz';
    const local = path.join(root, rel);
    assert.deepEqual(fs.readFileSync(local), await s3Bytes(`acme/${rel}`));
    assert.ok(f.api.env.shown.at(-1)?.startsWith('Downloaded 1 file'), f.api.env.shown.at(-1));
    // again: nothing new to fetch
    const again = await run<DownloadSummary>(f.api, 'asappExports.downloadPartition', hour);
    assert.equal(again.downloaded.files, 0);
    assert.equal(again.skippedUnchanged.files, 1);
  });

  it('asks before downloading an in-progress partition, and does nothing when declined', async () => {
    const hour = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=23']);
    const dir = path.join(root, 'convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=23');
    f.prompts.answer('downloadInProgress', undefined);
    assert.equal(await run(f.api, 'asappExports.downloadPartition', hour), undefined);
    assert.equal(fs.existsSync(dir), false);
    f.prompts.answer('downloadInProgress', 'Download Anyway');
    const summary = await run<DownloadSummary>(f.api, 'asappExports.downloadPartition', hour);
    assert.equal(summary.downloaded.files, 1);
    assert.ok(fs.readdirSync(dir).some(n => n.startsWith('convos_metrics.jsonl')));
  });

  it('downloads a date range of a feed: every complete partition of the day, decrypting the .enc file', async () => {
    const format = await nodeAt(f.api, FEED_PATH);
    f.prompts.answer('downloadFrom', '2024-01-01').answer('downloadTo', '2024-01-01');
    if (f.manifest.encryptedFile?.includes('/dt=2024-01-01/')) f.prompts.answer('decryptDownloads', i => i.value === 'keep');
    const summary = await run<DownloadSummary>(f.api, 'asappExports.downloadRange', format);
    const expected = f.manifest.partitions.filter(p => p.feed === 'convos_metrics' && p.version === 1 && p.dt === '2024-01-01' && p.state === 'complete');
    const expectedFiles = expected.flatMap(p => p.files);
    assert.equal(summary.downloaded.files, expectedFiles.length);
    const dayDir = path.join(root, 'convos_metrics/version=1/format=jsonl/dt=2024-01-01');
    const got = new Set(walk(dayDir).map(p => path.relative(dayDir, p)));
    for (const key of expectedFiles) {
      const rel = key.split('/dt=2024-01-01/')[1];
      assert.ok(got.has(rel), `${rel} downloaded`);
      if (rel.endsWith('.enc')) assert.ok(got.has(rel.slice(0, -4)), `${rel} decrypted`);
    }
    const inProgress = f.manifest.partitions.filter(p => p.feed === 'convos_metrics' && p.version === 1 && p.dt === '2024-01-01' && p.state === 'in-progress');
    for (const p of inProgress) for (const k of p.files) assert.ok(!got.has(k.split('/dt=2024-01-01/')[1]), 'in-progress files are left out');
    assert.ok(walk(root).every(p => !/\.part$|\.tmp$/.test(p)), 'no temp files left');
    if (f.manifest.encryptedFile?.includes('dt=2024-01-01')) assert.ok(summary.decrypted.length >= 1, 'the .enc file was decrypted');
  });

  it('downloads from the palette: connection, feed, range', async () => {
    f.prompts.answer('downloadFeed', 'dim_queues').answer('downloadFrom', '').answer('downloadTo', '');
    const summary = await run<DownloadSummary>(f.api, 'asappExports.downloadRange');
    const complete = f.manifest.partitions.filter(p => p.feed === 'dim_queues' && p.state === 'complete').flatMap(p => p.files);
    assert.equal(summary.downloaded.files, complete.length);
    assert.equal(summary.skippedIncomplete.length, 1, 'the in-progress day is left out');
  });
});
