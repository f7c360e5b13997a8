// The exports tree against the sample exports on the local S3 server: every level, partition states,
// newest-first days, paging with "Load more…" (and its lock), the filter, refresh, copy actions.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExportNode, FolderNode, LoadMoreNode } from '../../src/extension/tree/nodes';
import { assertNoPendingAnswers, BUCKET, children, connected, FEED_PATH, item, label, nodeAt, run, SUB_FOLDER, type Fixture } from './fixture';

describe('exports tree', () => {
  let f: Fixture;
  before(async () => { f = await connected(); });
  afterEach(() => assertNoPendingAnswers(f));

  it('lists the connection from the credentials file, then feeds, versions and formats', async () => {
    const roots = await children(f.api);
    const prod = roots.find(r => label(f.api, r) === 'prod');
    assert.ok(prod, `roots: ${roots.map(r => label(f.api, r)).join(', ')}`);
    assert.equal(item(f.api, prod).description, `${BUCKET}/${SUB_FOLDER}`);
    assert.equal(item(f.api, prod).contextValue, 'connection');
    const feeds = (await children(f.api, prod)).map(n => label(f.api, n));
    for (const feed of ['convos_metrics', 'dim_queues', 'export_docs', 'rep_activity', 'utterances']) assert.ok(feeds.includes(feed), `feeds: ${feeds}`);
    const versions = await children(f.api, await nodeAt(f.api, ['prod', 'convos_metrics']));
    assert.deepEqual(versions.map(v => label(f.api, v)), ['version=1', 'version=2']);
    assert.equal(item(f.api, versions[0]).contextValue, 'version');
    assert.deepEqual(versions.map(v => item(f.api, v).description), ['superseded by version=2', 'newest version']);
    const formats = await children(f.api, versions[0]);
    assert.deepEqual(formats.map(v => [label(f.api, v), item(f.api, v).contextValue]), [['format=jsonl', 'format']]);
  });

  it('lists days newest first, and the hours of a day with their complete / in progress / empty states', async () => {
    const days = await children(f.api, await nodeAt(f.api, FEED_PATH));
    assert.deepEqual(days.map(d => label(f.api, d)), ['dt=2024-01-02', 'dt=2024-01-01']);
    assert.equal(item(f.api, days[0]).description, '24 hours');
    assert.equal(item(f.api, days[0]).contextValue, 'partition.parent');
    const hours = await children(f.api, days[0]);
    assert.equal(hours.length, 24);
    const byName = new Map(hours.map(h => [label(f.api, h), item(f.api, h)]));
    assert.match(String(byName.get('hr=00')?.description), /^complete · 1 file · [\d.]+ K?B$/);
    assert.equal(byName.get('hr=00')?.contextValue, 'partition.complete');
    assert.equal(byName.get('hr=04')?.description, 'empty · 0 files');
    assert.equal(byName.get('hr=04')?.contextValue, 'partition.empty');
    assert.equal(byName.get('hr=04')?.collapsibleState, vscode.TreeItemCollapsibleState.None);
    assert.match(String(byName.get('hr=23')?.description), /^in progress · 1 file/);
    assert.equal(byName.get('hr=23')?.contextValue, 'partition.inProgress');
    assert.equal((byName.get('hr=23')?.iconPath as vscode.ThemeIcon).id, 'watch');
    assert.equal((byName.get('hr=00')?.iconPath as vscode.ThemeIcon).id, 'pass-filled');
    // what S3 says, from the generator's manifest
    const complete = f.manifest.partitions.filter(p => p.feed === 'convos_metrics' && p.version === 1 && p.dt === '2024-01-02' && p.state === 'complete').length;
    assert.equal([...byName.values()].filter(i => i.contextValue === 'partition.complete').length, complete);
  });

  it('shows files with their type, a tooltip with details, and minute partitions below hours', async () => {
    const files = await children(f.api, await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=00']));
    assert.deepEqual(files.map(n => label(f.api, n)), ['_SUCCESS', 'convos_metrics.jsonl.gz']);
    assert.equal(item(f.api, files[0]).contextValue, 'file.marker');
    const it0 = item(f.api, files[1]);
    assert.equal(it0.contextValue, 'file.data');
    assert.equal(it0.command?.command, 'asappExports.previewFile');
    const resolved = await f.api.env.tree.resolveTreeItem(it0, files[1]);
    assert.match((resolved.tooltip as vscode.MarkdownString).value, /s3:\/\/asapp-prod-acme-exports-us-east-1\/acme\/convos_metrics\/version=1\/format=jsonl\/dt=2024-01-02\/hr=00\/convos_metrics\.jsonl\.gz/);
    const hour = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=00']);
    const tip = (await f.api.env.tree.resolveTreeItem(item(f.api, hour), hour)).tooltip as vscode.MarkdownString;
    assert.match(tip.value, /state: \*\*complete\*\*/);
    const minutes = await children(f.api, await nodeAt(f.api, ['prod', 'rep_activity', 'version=1', 'format=jsonl', 'dt=2024-01-01', 'hr=00']));
    assert.deepEqual(minutes.map(m => label(f.api, m)), ['mi=00', 'mi=15', 'mi=30', 'mi=45']);
    const enc = f.manifest.encryptedFile;
    assert.ok(enc, 'the sample has an encrypted file');
    const encPath = enc.split('/').slice(1);
    const encNode = await nodeAt(f.api, ['prod', ...encPath.filter(s => s !== 'acme')]);
    assert.equal(item(f.api, encNode).contextValue, 'file.encrypted');
  });

  it('pages with "Load more…": one S3 page per click, double clicks load one page', async () => {
    await vscode.workspace.getConfiguration('asappExports').update('tree.pageSize', 10, vscode.ConfigurationTarget.Global);
    try {
      const day = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02']);
      let kids = await children(f.api, day);
      assert.equal(kids.length, 11);
      const more = kids[10] as LoadMoreNode;
      assert.equal(more.kind, 'loadMore');
      assert.equal(item(f.api, more).label, 'Load more…');
      assert.equal(item(f.api, more).command?.command, 'asappExports.loadMore');
      await Promise.all([run(f.api, 'asappExports.loadMore', more), run(f.api, 'asappExports.loadMore', more)]);
      kids = await children(f.api, day);
      assert.equal(kids.length, 21, 'two concurrent clicks load one page');
      assert.deepEqual(kids.slice(0, 20).map(k => label(f.api, k)), Array.from({ length: 20 }, (_, i) => `hr=${String(i).padStart(2, '0')}`));
      await run(f.api, 'asappExports.loadMore', kids[20]);
      kids = await children(f.api, day);
      assert.equal(kids.length, 24);
      assert.ok(kids.every(k => k.kind === 'folder'));
    } finally {
      await vscode.workspace.getConfiguration('asappExports').update('tree.pageSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('filters by feed name and date range, and clears the filter', async () => {
    f.prompts.answer('filter.feed', 'conv').answer('filter.from', '2024-01-01').answer('filter.to', '2024-01-01');
    await run(f.api, 'asappExports.filterExports');
    assert.equal(f.api.env.treeView.description, 'feed conv, 2024-01-01 → 2024-01-01');
    const prod = await nodeAt(f.api, ['prod']);
    assert.deepEqual((await children(f.api, prod)).map(n => label(f.api, n)), ['convos_metrics']);
    assert.deepEqual((await children(f.api, await nodeAt(f.api, FEED_PATH))).map(n => label(f.api, n)), ['dt=2024-01-01']);
    f.prompts.answer('filter.feed', 'nothing*like*this').answer('filter.from', '').answer('filter.to', '');
    await run(f.api, 'asappExports.filterExports');
    const none = await children(f.api, await nodeAt(f.api, ['prod']));
    assert.equal(none.length, 1);
    assert.equal(none[0].kind, 'message');
    assert.match(label(f.api, none[0]), /Nothing matches the filter/);
    await run(f.api, 'asappExports.clearFilter');
    assert.equal(f.api.env.treeView.description, undefined);
    assert.ok((await children(f.api, await nodeAt(f.api, ['prod']))).length >= 5);
  });

  it('refreshes one node or the whole tree, listing S3 again', async () => {
    const day = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02']) as FolderNode;
    const before = await children(f.api, day);
    await run(f.api, 'asappExports.refreshNode', day);
    const after = await children(f.api, day);
    assert.notEqual(after[0], before[0], 'new elements after refresh (listed again)');
    assert.deepEqual(after.map(n => label(f.api, n)), before.map(n => label(f.api, n)));
    await run(f.api, 'asappExports.refresh');
    assert.ok((await children(f.api)).length >= 1);
  });

  it('copies the S3 URI and the equivalent aws s3 cp command', async () => {
    const hour = await nodeAt(f.api, [...FEED_PATH, 'dt=2024-01-02', 'hr=00']);
    const uri = await run<string>(f.api, 'asappExports.copyS3Uri', hour);
    assert.equal(uri, `s3://${BUCKET}/acme/convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=00/`);
    assert.equal(await vscode.env.clipboard.readText(), uri);
    const cmd = await run<string>(f.api, 'asappExports.copyAwsCommand', hour);
    assert.equal(cmd, `aws s3 cp ${uri} asapp-exports/convos_metrics/version=1/format=jsonl/dt=2024-01-02/hr=00/ --recursive --endpoint-url ${f.s3.endpoint}`);
    assert.equal(await vscode.env.clipboard.readText(), cmd);
  });

  it('shows a listing failure under the node instead of failing the view', async () => {
    const node: ExportNode = { kind: 'folder', connectionId: 'secrets:asapp-prod-acme-exports-us-east-1/acme', entry: { kind: 'feed', name: 'no_such', prefix: 'acme/no_such/', location: { bucket: 'no-such-bucket-here', subFolder: 'acme', feed: 'no_such' } } };
    const kids = await children(f.api, node);
    assert.equal(kids.length, 1);
    assert.equal(kids[0].kind, 'message');
    assert.match(label(f.api, kids[0]), /no-such-bucket-here/);
  });

  it('opens the log', async () => {
    await run(f.api, 'asappExports.showLog');
  });
});
