// Keys and connections: the credentials file decrypted with the imported key lands in SecretStorage (one
// connection per line) and, when asked, in AWS profiles (mode 0600); an AWS profile and the demo bucket
// work as connections; removing a connection removes its keys.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ConnectionNode } from '../../src/extension/tree/nodes';
import { ACCESS_KEY_ID, assertNoPendingAnswers, awsFilesOf, BUCKET, children, connected, item, label, nodeAt, run, SECRET_ACCESS_KEY, SUB_FOLDER, type Fixture } from './fixture';

describe('credentials and connections', () => {
  let f: Fixture;
  before(async () => { f = await connected(); });
  afterEach(() => assertNoPendingAnswers(f));

  it('stored the decrypted credentials as a connection with its keys in SecretStorage', async () => {
    const list = await f.api.env.connections.list();
    const prod = list.find(c => c.source === 'secrets');
    assert.ok(prod);
    assert.deepEqual({ label: prod.label, bucket: prod.bucket, subFolder: prod.subFolder, env: prod.env, keyHint: prod.keyHint },
      { label: 'prod', bucket: BUCKET, subFolder: SUB_FOLDER, env: 'prod', keyHint: 'AKIA…0001' });
    const raw = await f.api.env.context.secrets.get(`asappExports.connection/${prod.id}`);
    assert.deepEqual(JSON.parse(raw ?? '{}'), { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
    assert.ok(!JSON.stringify(prod).includes(SECRET_ACCESS_KEY), 'the connection list holds no secret');
  });

  it('wrote the AWS profile too when asked, keys in a 0600 file', () => {
    const aws = awsFilesOf(f);
    const creds = fs.readFileSync(aws.credentials, 'utf8');
    assert.match(creds, /\[asapp-prod\]/);
    assert.ok(creds.includes(SECRET_ACCESS_KEY));
    assert.equal(fs.statSync(aws.credentials).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(aws.config, 'utf8'), new RegExp(`asapp_exports_bucket = ${BUCKET}`));
  });

  it('adds a connection from an AWS profile and browses through it, then removes it', async () => {
    f.prompts.answer('awsProfile', 'asapp-prod');
    const id = await run<string>(f.api, 'asappExports.addConnectionFromProfile');
    assert.equal(id, 'profile:asapp-prod');
    const node = await nodeAt(f.api, ['asapp-prod (prod)']);
    assert.equal(item(f.api, node).description, `${BUCKET}/${SUB_FOLDER}`);
    const feeds = (await children(f.api, node)).map(n => label(f.api, n));
    assert.ok(feeds.includes('convos_metrics'), `feeds through the profile: ${feeds}`);
    f.prompts.answer('confirmRemove', 'Remove');
    assert.equal(await run(f.api, 'asappExports.removeConnection', node), true);
    assert.ok(!(await f.api.env.connections.list()).some(c => c.id === id));
  });

  it('removing a connection deletes its keys from SecretStorage (and decrypting again restores it)', async () => {
    const prod = (await f.api.env.connections.list()).find(c => c.source === 'secrets')!;
    f.prompts.answer('connectionToRemove', 'prod').answer('confirmRemove', 'Remove');
    assert.equal(await run(f.api, 'asappExports.removeConnection'), true);
    assert.equal(await f.api.env.context.secrets.get(`asappExports.connection/${prod.id}`), undefined);
    assert.ok(!(await children(f.api)).some(n => label(f.api, n) === 'prod'));
    f.prompts.answer('credentialsFile', f.credentialsFile).answer('writeAwsProfiles', i => i.value === false);
    const result = await run<{ connections: string[] }>(f.api, 'asappExports.decryptCredentials');
    assert.deepEqual(result.connections, [prod.id]);
    assert.ok((await children(f.api)).some(n => label(f.api, n) === 'prod'));
  });

  it('reports a wrong passphrase with advice, without the passphrase', async () => {
    f.api.env.keys.forgetPassphrase();
    f.prompts.answer('credentialsFile', f.credentialsFile).answer('passphrase', 'not the passphrase at all');
    const before = f.api.env.shown.length;
    await vscode.commands.executeCommand('asappExports.decryptCredentials');
    const shown = f.api.env.shown.slice(before);
    assert.equal(shown.length, 1);
    assert.match(shown[0], /^Decrypt credentials failed: .*passphrase/i);
    assert.ok(!shown[0].includes('not the passphrase at all'));
    // the session passphrase again, for the suites that follow
    f.prompts.answer('credentialsFile', f.credentialsFile).answer('passphrase', 'correct horse battery staple 42').answer('writeAwsProfiles', i => i.value === false);
    await run(f.api, 'asappExports.decryptCredentials');
    f.api.env.keys.rememberPassphrase('correct horse battery staple 42');
  });

  it('stays silent when the user cancels (no passphrase given)', async () => {
    f.api.env.keys.forgetPassphrase();
    f.prompts.answer('credentialsFile', f.credentialsFile).answer('passphrase', undefined);
    const before = f.api.env.shown.length;
    assert.equal(await vscode.commands.executeCommand('asappExports.decryptCredentials'), undefined);
    assert.equal(f.api.env.shown.length, before, 'no message on cancellation');
    assert.equal(f.api.env.log.lines().at(-1), 'info: asappExports.decryptCredentials: cancelled');
    f.api.env.keys.rememberPassphrase('correct horse battery staple 42');
  });

  it('opens the demo bucket: a local server with sample exports as session connections', async function () {
    this.timeout(120_000);
    const ids = await run<string[]>(f.api, 'asappExports.openDemoBucket');
    assert.equal(ids.length, 2);
    const demoProd = (await children(f.api)).find(n => label(f.api, n) === 'demo prod') as ConnectionNode;
    assert.ok(demoProd);
    assert.equal(item(f.api, demoProd).contextValue, 'connection.demo');
    assert.match(demoProd.connection.endpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const feeds = (await children(f.api, demoProd)).map(n => label(f.api, n));
    assert.ok(feeds.includes('convos_metrics'), `demo feeds: ${feeds}`);
    for (const id of ids) {
      f.prompts.answer('confirmRemove', 'Remove');
      const node = (await children(f.api)).find(n => n.kind === 'connection' && n.connection.id === id);
      assert.equal(await run(f.api, 'asappExports.removeConnection', node), true);
    }
    assert.ok(!(await f.api.env.connections.list()).some(c => c.source === 'demo'));
  });
});
