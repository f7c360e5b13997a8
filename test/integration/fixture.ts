// One shared set-up for every suite in the extension host: the activated extension with scripted prompts,
// an in-process S3 server (fauxqs) holding the sample exports, a key pair (imported into the extension),
// the encrypted credentials file that the credentials suite decrypts, and a temp folder.
// Kept on globalThis because each suite is bundled separately.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLocalS3, type LocalS3 } from '../../src/core/localS3';
import { generateKeyPair, encryptForRecipient, type KeyPair } from '../../src/core/pgp';
import { formatCredentialsFile } from '../../src/core/credentials';
import { generateSampleExports, type SampleManifest } from '../../src/core/sample/generate';
import { s3Sink } from '../../src/core/sample/sinks';
import type { TestApi } from '../../src/extension/extension';
import type { ScriptedPrompter } from '../../src/extension/adapters/prompts';
import type { ExportNode } from '../../src/extension/tree/nodes';

export const EXTENSION_ID = 'asapp-exports.asapp-exports';
export const BUCKET = 'asapp-prod-acme-exports-us-east-1';
export const SUB_FOLDER = 'acme';
export const PASSPHRASE = 'correct horse battery staple 42';
/** Keys fauxqs accepts; the secret is distinctive so the leak checks can search for it. */
export const ACCESS_KEY_ID = 'AKIAINTEGRATION00001';
export const SECRET_ACCESS_KEY = 'zXq9SecretForLeakCheck/IntegrationTest0K';

export interface Fixture {
  api: TestApi;
  prompts: ScriptedPrompter;
  s3: LocalS3;
  manifest: SampleManifest;
  key: KeyPair;
  tmp: string;
  /** credentials.txt.gpg encrypted to `key` (binary, as gpg --encrypt writes it). */
  credentialsFile: string;
  privateKeyFile: string;
}

const KEY = Symbol.for('asappExports.integrationFixture');
type Holder = { [KEY]?: Promise<Fixture> };

export function fixture(): Promise<Fixture> {
  const g = globalThis as Holder;
  g[KEY] ??= create();
  return g[KEY];
}

export async function activateExtension(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
  const api = await ext.activate();
  if (!api) throw new Error('the extension returned no test API (not in test mode?)');
  return api;
}

async function create(): Promise<Fixture> {
  const api = await activateExtension();
  const prompts = api.useScriptedPrompts();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asapp-it-'));
  const key = await generateKeyPair({ name: 'Integration Test', email: 'it@example.com', passphrase: PASSPHRASE });
  const s3 = await startLocalS3();
  await s3.createBucket(BUCKET);
  const client = s3.client();
  const manifest = await generateSampleExports(s3Sink(client, BUCKET), { subFolder: SUB_FOLDER, encryptToPublicKey: key.publicKeyArmored });
  client.destroy();
  const text = formatCredentialsFile([{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, bucket: BUCKET, subFolder: SUB_FOLDER }]);
  const credentialsFile = path.join(tmp, 'credentials.txt.gpg');
  fs.writeFileSync(credentialsFile, (await encryptForRecipient(text, key.publicKeyArmored)) as Uint8Array);
  const privateKeyFile = path.join(tmp, 'private.asc');
  fs.writeFileSync(privateKeyFile, key.privateKeyArmored, { mode: 0o600 });
  await vscode.workspace.getConfiguration('asappExports').update('s3.endpoint', s3.endpoint, vscode.ConfigurationTarget.Global);
  return { api, prompts, s3, manifest, key, tmp, credentialsFile, privateKeyFile };
}

/** Runs a command and fails the test when the command reported an error instead of throwing it. */
export async function run<T>(api: TestApi, id: string, ...args: unknown[]): Promise<T> {
  const before = api.env.shown.length;
  const result = await vscode.commands.executeCommand<T>(id, ...args);
  const errors = api.env.shown.slice(before).filter(m => / failed: /.test(m));
  if (errors.length) throw new Error(`${id} reported: ${errors.join(' | ')}`);
  return result;
}

export function workspaceFolder(): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!ws) throw new Error('no workspace folder open');
  return ws;
}

const CONNECTED = Symbol.for('asappExports.integrationConnected');
type ConnectedHolder = { [CONNECTED]?: Promise<Fixture> };

/** AWS shared files of the test (the user's ~/.aws is never touched). */
export function awsFilesOf(f: Fixture): { credentials: string; config: string } {
  return { credentials: path.join(f.tmp, 'aws', 'credentials'), config: path.join(f.tmp, 'aws', 'config') };
}

/**
 * The fixture after the user's first steps, done through the commands themselves: import the private
 * key (passphrase remembered for the session), decrypt the credentials file, also writing AWS profiles.
 */
export function connected(): Promise<Fixture> {
  const g = globalThis as ConnectedHolder;
  g[CONNECTED] ??= (async () => {
    const f = await fixture();
    const aws = awsFilesOf(f);
    process.env.AWS_SHARED_CREDENTIALS_FILE = aws.credentials;
    process.env.AWS_CONFIG_FILE = aws.config;
    f.prompts.answer('privateKeyImport', f.privateKeyFile).answer('passphrase', PASSPHRASE).answer('rememberPassphrase', i => i.value === true);
    await run(f.api, 'asappExports.importPrivateKey');
    f.prompts.answer('credentialsFile', f.credentialsFile).answer('writeAwsProfiles', i => i.value === true);
    await run(f.api, 'asappExports.decryptCredentials');
    return f;
  })();
  return g[CONNECTED];
}

export function label(api: TestApi, node: ExportNode): string {
  const l = api.env.tree.getTreeItem(node).label;
  return typeof l === 'string' ? l : l?.label ?? '';
}

export function item(api: TestApi, node: ExportNode): vscode.TreeItem {
  return api.env.tree.getTreeItem(node) as vscode.TreeItem;
}

export async function children(api: TestApi, node?: ExportNode): Promise<ExportNode[]> {
  return api.env.tree.getChildren(node);
}

/** Follows tree labels from the root, e.g. ['prod', 'convos_metrics', 'version=1']. */
export async function nodeAt(api: TestApi, labels: string[]): Promise<ExportNode> {
  let node: ExportNode | undefined;
  for (const l of labels) {
    const kids = await children(api, node);
    const next = kids.find(k => label(api, k) === l);
    if (!next) throw new Error(`"${l}" not found under ${node ? label(api, node) : 'the root'}: ${kids.map(k => label(api, k)).join(', ')}`);
    node = next;
  }
  if (!node) throw new Error('empty path');
  return node;
}

export const FEED_PATH = ['prod', 'convos_metrics', 'version=1', 'format=jsonl'];

export function assertNoPendingAnswers(f: Fixture): void {
  const pending = f.prompts.pending();
  f.prompts.clear();
  if (pending.length) throw new Error(`Scripted answers not used: ${pending.join(', ')}`);
}
