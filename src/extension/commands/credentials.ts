// Connections: decrypt the credentials file ASAPP sends (one connection per line/environment, keys into
// SecretStorage, optionally AWS profiles too), use an existing AWS profile, remove one, or open the demo
// bucket (a local S3 server with sample exports, as `asapp-exports demo`). The decrypted text and the
// secret keys are never logged or shown.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UsageError } from '../../core/errors';
import type { CredentialEntry } from '../../core/credentials';
import { parseBucketName } from '../../core/layout';
import type { UnlockedKey } from '../../core/pgp';
import { withBusyProgress } from '../adapters/progress';
import { connectionId, type Connection } from '../connections';
import type { ExtensionEnv } from '../env';
import type { ConnectionNode } from '../tree/nodes';
import type { CommandDef } from './command';
import { unlockKey } from './keys';
import type { DemoHandle } from '../../core/demo';

export interface DemoSession {
  handle: DemoHandle;
  key(): Promise<UnlockedKey>;
}

let demo: DemoSession | undefined;

/** The running demo (its key decrypts the demo's .enc file). */
export function demoSession(): DemoSession | undefined {
  return demo;
}

export function credentialCommands(env: ExtensionEnv): CommandDef[] {
  env.context.subscriptions.push({ dispose: () => void demo?.handle.stop() });
  return [
    { id: 'asappExports.decryptCredentials', action: 'Decrypt credentials', run: (uri?: vscode.Uri) => decryptCredentialsCommand(env, uri) },
    { id: 'asappExports.addConnectionFromProfile', action: 'Add connection', run: () => addConnectionFromProfileCommand(env) },
    { id: 'asappExports.removeConnection', action: 'Remove connection', run: (node?: ConnectionNode) => removeConnectionCommand(env, node) },
    { id: 'asappExports.openDemoBucket', action: 'Open the demo bucket', run: () => openDemoBucketCommand(env) },
  ];
}

function connectionFor(e: CredentialEntry, source: 'secrets' | 'demo', endpoint?: string): Connection {
  return {
    id: connectionId(source, e.bucket, e.subFolder),
    label: source === 'demo' ? `demo ${e.env ?? e.bucket}` : e.env ?? e.bucket,
    source, bucket: e.bucket, subFolder: e.subFolder,
    ...(e.env ? { env: e.env } : {}),
    ...(e.region ? { region: e.region } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

async function decryptCredentialsCommand(env: ExtensionEnv, uri?: vscode.Uri): Promise<{ connections: string[]; profiles: string[] } | undefined> {
  const file = uri ?? await env.prompts.openFile({ id: 'credentialsFile', title: 'The encrypted credentials file from ASAPP', filters: { 'Encrypted (gpg)': ['gpg', 'asc', 'pgp', 'enc'], 'All files': ['*'] } });
  if (!file) return undefined;
  const data = await fs.readFile(file.fsPath);
  const key = await unlockKey(env, `to decrypt ${path.basename(file.fsPath)}`);
  const { pgp, credentials } = env.core();
  const plain = await pgp.decryptMessage(data, key);
  const entries = credentials.parseCredentialsFile(new TextDecoder().decode(plain.data));
  for (const e of entries) env.log.redactor.add(e.secretAccessKey);
  const added: string[] = [];
  for (const e of entries) {
    const c = connectionFor(e, 'secrets');
    await env.connections.save(c, { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey });
    added.push(c.id);
  }
  const names = credentials.profileNamesFor(entries);
  const writeProfiles = await env.prompts.pick(
    [
      { label: 'No, keep them in VS Code only', value: false },
      { label: `Also write AWS profiles ${names.join(', ')}`, description: 'for the aws CLI and the asapp-exports command line (~/.aws, mode 0600)', value: true },
    ],
    { id: 'writeAwsProfiles', title: `${entries.length} connection(s) stored in VS Code's secret storage. Also write AWS profiles?` },
  );
  let profiles: string[] = [];
  if (writeProfiles) {
    const endpoint = env.settings().endpoint;
    const files = await env.core().awsProfile.writeAwsProfiles(entries.map((e, i) => ({
      profile: names[i], bucket: e.bucket, subFolder: e.subFolder, region: e.region ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    })));
    profiles = names;
    env.log.info(`Wrote AWS profiles ${names.join(', ')} to ${files.credentialsFile} and ${files.configFile}`);
  }
  const labels = entries.map(e => e.env ?? e.bucket).join(', ');
  void env.notify(`Connected: ${labels}.${profiles.length ? ` AWS profiles: ${profiles.join(', ')}.` : ''}`);
  void vscode.commands.executeCommand('asappExports.exports.focus');
  return { connections: added, profiles };
}

async function addConnectionFromProfileCommand(env: ExtensionEnv): Promise<string | undefined> {
  const { awsProfile } = env.core();
  const known = await awsProfile.listToolProfiles();
  const choice = await env.prompts.pick<string>(
    [
      ...known.map(p => ({ label: p.profile, description: `s3://${p.bucket}/${p.subFolder}`, value: p.profile })),
      { label: 'Another profile…', description: 'any profile of ~/.aws with access to the bucket', value: '' },
    ],
    { id: 'awsProfile', title: 'AWS profile to browse with' },
  );
  if (choice === undefined) return undefined;
  let profile = known.find(p => p.profile === choice);
  if (!profile) {
    const name = await env.prompts.input({ id: 'profileName', title: 'AWS profile name', placeHolder: 'default', validate: v => (/^[A-Za-z0-9][A-Za-z0-9_.+@-]*$/.test(v) ? undefined : 'A profile name of ~/.aws/config') });
    if (!name) return undefined;
    const bucket = await env.prompts.input({ id: 'profileBucket', title: 'Bucket', placeHolder: 'asapp-prod-acme-exports-us-east-1', validate: v => (v.trim() ? undefined : 'The bucket name is needed') });
    if (!bucket) return undefined;
    const subFolder = await env.prompts.input({ id: 'profileSubFolder', title: 'Sub-folder (empty when none)', value: '' });
    if (subFolder === undefined) return undefined;
    profile = { profile: name, bucket: bucket.trim(), subFolder: subFolder.trim().replace(/^\/+|\/+$/g, ''), region: 'us-east-1' };
  }
  const info = parseBucketName(profile.bucket);
  const connection: Connection = {
    id: connectionId('profile', profile.bucket, profile.subFolder, profile.profile),
    label: `${profile.profile}${info.env ? ` (${info.env})` : ''}`,
    source: 'profile', bucket: profile.bucket, subFolder: profile.subFolder, region: profile.region, profile: profile.profile,
    ...(info.env ? { env: info.env } : {}),
    ...(profile.endpoint ? { endpoint: profile.endpoint } : {}),
  };
  await env.connections.save(connection);
  void env.notify(`Added connection ${connection.label}.`);
  return connection.id;
}

async function removeConnectionCommand(env: ExtensionEnv, node?: ConnectionNode): Promise<boolean> {
  let connection = node?.connection;
  if (!connection) {
    const all = await env.connections.list();
    if (all.length === 0) throw new UsageError('There are no connections to remove.');
    connection = await env.prompts.pick(all.map(c => ({ label: c.label, description: `s3://${c.bucket}/${c.subFolder}`, value: c })), { id: 'connectionToRemove', title: 'Remove which connection?' });
    if (!connection) return false;
  }
  const ok = await env.prompts.confirm({
    id: 'confirmRemove', message: `Remove the connection ${connection.label}?`, buttons: ['Remove'],
    detail: connection.source === 'secrets' ? 'Its keys are deleted from VS Code\'s secret storage. Decrypt the credentials file again to get them back.' : 'The AWS profile itself is not changed.',
  });
  if (ok !== 'Remove') return false;
  if (connection.source === 'demo' && demo) {
    await demo.handle.stop();
    demo = undefined;
  }
  const removed = await env.connections.remove(connection.id);
  void env.notify(`Removed ${connection.label}.`);
  return removed;
}

async function openDemoBucketCommand(env: ExtensionEnv): Promise<string[]> {
  if (!demo) {
    const services = env.core();
    // ASAPP_EXPORTS_DEMO_NOW pins the demo's clock (the end-to-end test wants the same partition states every run)
    const pinned = process.env.ASAPP_EXPORTS_DEMO_NOW;
    const handle = await withBusyProgress('Starting the demo bucket', (signal, message) =>
      services.demo.startDemo(
        { size: 'tiny', days: 3, signal, onSecret: s => env.log.redactor.add(s), ...(pinned ? { now: new Date(pinned) } : {}) },
        step => { message(step.title); env.log.info(`demo ${step.index}/${step.total}: ${step.title}`); },
      ));
    const passphrase = (await fs.readFile(handle.files.passphrase, 'utf8')).trim();
    const armored = await fs.readFile(handle.files.privateKey, 'utf8');
    const key = () => services.pgp.unlockPrivateKey(armored, passphrase);
    const plain = await services.pgp.decryptMessage(await fs.readFile(handle.files.credentialsEncrypted), await key());
    const entries = services.credentials.parseCredentialsFile(new TextDecoder().decode(plain.data));
    for (const e of entries) {
      env.log.redactor.add(e.secretAccessKey);
      env.connections.addSession(connectionFor(e, 'demo', handle.endpoint), { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey });
    }
    demo = { handle, key };
    env.log.info(`Demo bucket on ${handle.endpoint} (127.0.0.1 only), ${handle.manifest.objects} objects`);
  }
  void vscode.commands.executeCommand('asappExports.exports.focus');
  void env.notify(`Demo bucket ready on ${demo.handle.endpoint}: sample exports with complete, in-progress and empty partitions. It stops when VS Code closes.`);
  return (await env.connections.list()).filter(c => c.source === 'demo').map(c => c.id);
}
