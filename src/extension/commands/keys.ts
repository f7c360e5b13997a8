// The OpenPGP key pair: generate (or import), hand out the public key, back up the private key.
// Passphrases are asked in password boxes, added to the log redactor, and kept in memory only when the
// user allows it for this session.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancellationError, PgpError, UsageError } from '../../core/errors';
import type { UnlockedKey } from '../../core/pgp';
import { withBusyProgress } from '../adapters/progress';
import type { ExtensionEnv } from '../env';
import type { CommandDef } from './command';

export function keyCommands(env: ExtensionEnv): CommandDef[] {
  return [
    { id: 'asappExports.generateKeyPair', action: 'Generate key pair', run: () => generateKeyPairCommand(env) },
    { id: 'asappExports.copyPublicKey', action: 'Copy public key', run: () => copyPublicKeyCommand(env) },
    { id: 'asappExports.savePublicKey', action: 'Save public key', run: () => savePublicKeyCommand(env) },
    { id: 'asappExports.backUpPrivateKey', action: 'Back up private key', run: () => backUpPrivateKeyCommand(env) },
    { id: 'asappExports.importPrivateKey', action: 'Import private key', run: () => importPrivateKeyCommand(env) },
  ];
}

const NO_KEY = 'There is no key pair yet: run "ASAPP Exports: Generate Key Pair" (or "Import Private Key") first.';

async function askNewPassphrase(env: ExtensionEnv): Promise<string | undefined> {
  const passphrase = await env.prompts.input({
    id: 'newPassphrase', title: 'Passphrase for the private key', password: true,
    prompt: 'Protects the private key; needed to decrypt the credentials file. At least 8 characters.',
    validate: v => (v.length >= 8 ? undefined : 'Use at least 8 characters'),
  });
  if (passphrase === undefined) return undefined;
  env.log.redactor.add(passphrase);
  const again = await env.prompts.input({ id: 'confirmPassphrase', title: 'Passphrase again', password: true, prompt: 'Type the passphrase again' });
  if (again === undefined) return undefined;
  if (again !== passphrase) throw new UsageError('The two passphrases differ: run the command again and type the same passphrase twice.');
  return passphrase;
}

async function generateKeyPairCommand(env: ExtensionEnv): Promise<{ fingerprint: string } | undefined> {
  const existing = await env.keys.info();
  if (existing) {
    const ok = await env.prompts.confirm({
      id: 'replaceKey', message: `Replace your key pair ${existing.fingerprint}?`, buttons: ['Replace'],
      detail: 'Credentials files encrypted to the current key can no longer be decrypted, unless you backed the key up (Back Up Private Key).',
    });
    if (ok !== 'Replace') return undefined;
  }
  const name = await env.prompts.input({ id: 'keyName', title: 'Your name (goes in the key)', placeHolder: 'Jane Doe', validate: v => (v.trim() ? undefined : 'A name is needed') });
  if (name === undefined) return undefined;
  const email = await env.prompts.input({ id: 'keyEmail', title: 'Your email (goes in the key)', placeHolder: 'jane@example.com', validate: v => (/^[^\s@<>]+@[^\s@<>]+$/.test(v.trim()) ? undefined : 'An email address like jane@example.com') });
  if (email === undefined) return undefined;
  const passphrase = await askNewPassphrase(env);
  if (passphrase === undefined) return undefined;
  const algorithm = await env.prompts.pick(
    [
      { label: 'ECC (Curve25519)', description: 'recommended: small and fast; GnuPG 2.2+', value: 'ecc' as const },
      { label: 'RSA 4096', description: 'for policies that require RSA; takes a few seconds', value: 'rsa' as const },
    ],
    { id: 'keyAlgorithm', title: 'Key type' },
  );
  if (!algorithm) return undefined;
  const pgp = env.core().pgp;
  const pair = await withBusyProgress(`Generating ${algorithm === 'rsa' ? 'an RSA-4096' : 'an ECC'} key pair…`, () =>
    pgp.generateKeyPair({ name: name.trim(), email: email.trim(), passphrase, algorithm }), false);
  const info = await pgp.inspectPublicKey(pair.publicKeyArmored);
  await env.keys.save(pair.privateKeyArmored, pair.publicKeyArmored, { fingerprint: pair.fingerprint, userId: pair.userId, algorithm: info.algorithm, created: info.created.toISOString() });
  env.log.info(`Generated key pair ${pair.fingerprint} (${info.algorithm}) for ${pair.userId}`);
  void env.notify(`Key pair ${pair.fingerprint} is ready. Send your public key to ASAPP.`, 'Copy Public Key', 'Save as File').then(choice => {
    if (choice === 'Copy Public Key') void vscode.commands.executeCommand('asappExports.copyPublicKey');
    if (choice === 'Save as File') void vscode.commands.executeCommand('asappExports.savePublicKey');
  });
  return { fingerprint: pair.fingerprint };
}

async function publicKeyOrThrow(env: ExtensionEnv): Promise<string> {
  const key = await env.keys.publicKey();
  if (!key) throw new UsageError(NO_KEY);
  return key;
}

async function copyPublicKeyCommand(env: ExtensionEnv): Promise<string> {
  const key = await publicKeyOrThrow(env);
  await vscode.env.clipboard.writeText(key);
  const info = await env.keys.info();
  void env.notify(`Public key ${info?.fingerprint ?? ''} copied: paste it into your message to ASAPP.`);
  return key;
}

function defaultUri(env: ExtensionEnv, name: string): vscode.Uri | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  return ws ? vscode.Uri.joinPath(ws, name) : undefined;
}

async function savePublicKeyCommand(env: ExtensionEnv): Promise<string | undefined> {
  const key = await publicKeyOrThrow(env);
  const target = await env.prompts.saveFile({ id: 'publicKeyFile', title: 'Save the public key', filters: { 'Armored key': ['asc'] }, defaultUri: defaultUri(env, 'asapp-public-key.asc') });
  if (!target) return undefined;
  await fs.writeFile(target.fsPath, key);
  void env.notify(`Public key saved to ${path.basename(target.fsPath)}: send this file to ASAPP.`);
  return target.fsPath;
}

async function backUpPrivateKeyCommand(env: ExtensionEnv): Promise<string | undefined> {
  const key = await env.keys.privateKey();
  if (!key) throw new UsageError(NO_KEY);
  const ok = await env.prompts.confirm({
    id: 'backUpWarning', message: 'Write your PRIVATE key to a file?', buttons: ['Save Backup…'],
    detail: 'The file is protected by your passphrase, but anyone with the file and the passphrase can decrypt your credentials. Keep it offline (password manager, encrypted drive), never in a repository or a shared folder. Do not send it to ASAPP: they need the public key only.',
  });
  if (ok !== 'Save Backup…') return undefined;
  const target = await env.prompts.saveFile({ id: 'privateKeyFile', title: 'Save the private key backup', filters: { 'Armored key': ['asc'] }, defaultUri: defaultUri(env, 'asapp-private-key.asc') });
  if (!target) return undefined;
  // mode 0600 from the first byte: the file never exists readable by others
  await fs.rm(target.fsPath, { force: true });
  await fs.writeFile(target.fsPath, key, { mode: 0o600, flag: 'wx' });
  env.log.info(`Private key backed up to ${target.fsPath} (mode 0600)`);
  void env.notify(`Private key backup written to ${path.basename(target.fsPath)} (readable by you only). Keep it offline.`);
  return target.fsPath;
}

async function importPrivateKeyCommand(env: ExtensionEnv): Promise<{ fingerprint: string } | undefined> {
  const file = await env.prompts.openFile({ id: 'privateKeyImport', title: 'Armored private key (gpg --export-secret-keys --armor)', filters: { 'Keys': ['asc', 'key', 'gpg', 'pgp'], 'All files': ['*'] } });
  if (!file) return undefined;
  const data = await fs.readFile(file.fsPath);
  const pgp = env.core().pgp;
  if (!(await pgp.isPrivateKey(data))) {
    throw new PgpError(`${path.basename(file.fsPath)} holds a public key: import the private key (gpg --export-secret-keys --armor YOU@EXAMPLE.COM).`, { code: 'pgp.public-not-private' });
  }
  const passphrase = await env.prompts.input({ id: 'passphrase', title: `Passphrase of ${path.basename(file.fsPath)}`, password: true });
  if (passphrase === undefined) return undefined;
  env.log.redactor.add(passphrase);
  const unlocked = await pgp.unlockPrivateKey(data, passphrase);
  const armored = new TextDecoder().decode(data);
  const privateArmored = armored.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----') ? armored : unlocked.key.armor();
  const publicArmored = await pgp.publicKeyOf(privateArmored);
  const info = await pgp.inspectPublicKey(publicArmored);
  if (!info.hasEncryptionKey) {
    throw new PgpError('This key has no usable encryption subkey, so ASAPP could not encrypt to it: import a key that can encrypt, or generate a new one.', { code: 'pgp.no-encryption-key' });
  }
  await env.keys.save(privateArmored, publicArmored, { fingerprint: info.fingerprint, userId: info.userIds[0] ?? '', algorithm: info.algorithm, created: info.created.toISOString() });
  await offerToRemember(env, passphrase);
  void env.notify(`Imported key ${info.fingerprint} (${info.userIds[0] ?? 'no user id'}).`);
  return { fingerprint: info.fingerprint };
}

async function offerToRemember(env: ExtensionEnv, passphrase: string): Promise<void> {
  if (!env.keys.shouldOfferToRemember()) return;
  const remember = await env.prompts.pick(
    [
      { label: 'Remember the passphrase until VS Code closes', description: 'kept in memory only', value: true },
      { label: 'Ask every time', value: false },
    ],
    { id: 'rememberPassphrase', title: 'Passphrase' },
  );
  if (remember) env.keys.rememberPassphrase(passphrase);
}

/** The stored private key, unlocked with the session's passphrase or one asked now. */
export async function unlockKey(env: ExtensionEnv, why: string): Promise<UnlockedKey> {
  const armored = await env.keys.privateKey();
  if (!armored) throw new UsageError(NO_KEY);
  const pgp = env.core().pgp;
  const remembered = env.keys.rememberedPassphrase();
  if (remembered) {
    try {
      return await pgp.unlockPrivateKey(armored, remembered);
    } catch {
      env.keys.forgetPassphrase();
    }
  }
  const passphrase = await env.prompts.input({ id: 'passphrase', title: `Passphrase of your private key (${why})`, password: true });
  if (passphrase === undefined) throw new CancellationError();
  env.log.redactor.add(passphrase);
  const key = await pgp.unlockPrivateKey(armored, passphrase);
  await offerToRemember(env, passphrase);
  return key;
}
