// keygen, key show, key export-public: the user's side of the GPG key exchange with ASAPP.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliCommand } from '../command';
import type { CliContext } from '../context';
import { PgpError, UsageError } from '../../core/errors';
import { generateKeyPair, inspectPublicKey, isPrivateKey, publicKeyOf, type PublicKeyInfo } from '../../core/pgp';
import { PASSPHRASE_ENV, readKeyFile, readPassphrase } from '../keyInput';
import { writeFileAtomic } from '../../core/atomicFile';

export const PRIVATE_KEY_FILE = 'private-key.asc';
export const PUBLIC_KEY_FILE = 'public-key.asc';

function keyInfoJson(info: PublicKeyInfo) {
  return { fingerprint: info.fingerprint, userIds: info.userIds, algorithm: info.algorithm, hasEncryptionKey: info.hasEncryptionKey, created: info.created.toISOString() };
}

/** Groups of 4 hex digits, as gpg prints fingerprints, easier to compare over the phone. */
export function formatFingerprint(fp: string): string {
  return fp.replace(/(.{4})/g, '$1 ').trim();
}

const keygen: CliCommand = {
  name: 'keygen',
  summary: 'Generate the OpenPGP key pair whose public key you send to ASAPP',
  usage: 'keygen --name N --email E [--rsa] [--out DIR] [--passphrase-file F] [--force]',
  details: [
    'Writes DIR/private-key.asc (mode 0600, protected by your passphrase) and DIR/public-key.asc (default DIR: the current folder).',
    'Send ONLY public-key.asc to ASAPP. Keep private-key.asc and the passphrase: you need both to decrypt the credentials file.',
    `Passphrase: --passphrase-file F, the ${PASSPHRASE_ENV} environment variable, or typed twice at a hidden prompt.`,
    'Default key type: ECC (Curve25519, GnuPG 2.2+); --rsa makes an RSA-4096 key for older tooling (takes a few seconds).',
  ],
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    rsa: { type: 'boolean' },
    out: { type: 'string' },
    'passphrase-file': { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(ctx, { values }) {
    const name = values.name as string | undefined;
    const email = values.email as string | undefined;
    if (!name || !email) throw new UsageError('keygen needs --name and --email (they identify the key to ASAPP).');
    const dir = resolve(ctx.cwd, (values.out as string | undefined) ?? '.');
    const privateFile = join(dir, PRIVATE_KEY_FILE);
    const publicFile = join(dir, PUBLIC_KEY_FILE);
    if (existsSync(privateFile) && !values.force) {
      throw new PgpError(`${privateFile} already exists: it may be the key ASAPP encrypted your credentials to. Choose another --out folder, or pass --force to replace it.`, { code: 'pgp.key-exists' });
    }
    const passphrase = await readPassphrase(ctx, values, { confirm: true, purpose: 'for the new private key' });
    if (passphrase.length < 8) ctx.logger.warn('the passphrase is shorter than 8 characters; a longer one protects the key better.');
    const algorithm = values.rsa ? 'rsa' : 'ecc';
    if (algorithm === 'rsa' && !ctx.json) ctx.stderr.write('Generating an RSA-4096 key (a few seconds)…\n');
    const pair = await generateKeyPair({ name, email, passphrase, algorithm });
    ctx.redactor.add(pair.privateKeyArmored);
    const info = await inspectPublicKey(pair.publicKeyArmored);
    if (!info.hasEncryptionKey) {
      throw new PgpError('The generated key has no encryption subkey (this should not happen): nothing was written; please report it.', { code: 'pgp.no-encryption-key' });
    }
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(privateFile, pair.privateKeyArmored, 0o600);
    await writeFileAtomic(publicFile, pair.publicKeyArmored, 0o644);
    if (ctx.json) {
      ctx.printJson({ ok: true, ...keyInfoJson(info), userId: pair.userId, keyType: algorithm, privateKeyFile: privateFile, publicKeyFile: publicFile, sendToAsapp: publicFile });
      return;
    }
    ctx.print(`Key pair generated (${info.algorithm}) for ${pair.userId}`);
    ctx.print(`  fingerprint  ${formatFingerprint(info.fingerprint)}`);
    ctx.print(`  public key   ${publicFile}`);
    ctx.print(`  private key  ${privateFile}  (mode 0600, protected by your passphrase)`);
    ctx.print('');
    ctx.print(`Next: send ${publicFile} to ASAPP (any channel is fine; it is public) and tell them the fingerprint above.`);
    ctx.print('Never send private-key.asc. Keep it and the passphrase safe (and out of git): you need both to run');
    ctx.print(`  asapp-exports credentials decrypt CREDENTIALS.gpg --key ${privateFile}`);
  },
};

async function defaultKeyFile(ctx: CliContext): Promise<string> {
  for (const f of [PUBLIC_KEY_FILE, PRIVATE_KEY_FILE]) if (existsSync(resolve(ctx.cwd, f))) return f;
  throw new UsageError(`No --key given and no ${PUBLIC_KEY_FILE} or ${PRIVATE_KEY_FILE} in this folder.`);
}

const keyShow: CliCommand = {
  name: 'key show',
  summary: 'Show a key: fingerprint, user id, whether it can receive encrypted files, and its public part',
  usage: 'key show [--key FILE]',
  details: ['FILE may be a public or a private key (only its public part is shown). Default: ./public-key.asc, else ./private-key.asc.'],
  options: { key: { type: 'string' } },
  async run(ctx, { values }) {
    const file = (values.key as string | undefined) ?? (await defaultKeyFile(ctx));
    const data = await readKeyFile(ctx, file, 'The key file');
    const info = await inspectPublicKey(data);
    const publicArmored = await publicKeyOf(data);
    const isPrivate = await isPrivateKey(data);
    if (ctx.json) {
      ctx.printJson({ ok: true, file: resolve(ctx.cwd, file), isPrivate, ...keyInfoJson(info), publicKeyArmored: publicArmored });
      return;
    }
    ctx.print(`${isPrivate ? 'Private' : 'Public'} key ${file}`);
    ctx.print(`  fingerprint  ${formatFingerprint(info.fingerprint)}`);
    for (const uid of info.userIds) ctx.print(`  user id      ${uid}`);
    ctx.print(`  algorithm    ${info.algorithm}`);
    ctx.print(`  created      ${info.created.toISOString()}`);
    ctx.print(`  encryption   ${info.hasEncryptionKey ? 'yes — ASAPP can encrypt files to this key' : 'NO — this key has no usable encryption subkey'}`);
    if (!info.hasEncryptionKey) {
      ctx.logger.warn('do not send this key to ASAPP: gpg would refuse it ("Unusable public key"). Generate one with `asapp-exports keygen`, or add an encryption subkey in GnuPG.');
    }
    ctx.print('');
    ctx.print(publicArmored.trimEnd());
  },
};

const keyExportPublic: CliCommand = {
  name: 'key export-public',
  summary: 'Write the public key of a private key (what you send to ASAPP)',
  usage: 'key export-public --key PRIVATE.asc [--out FILE]',
  details: ['Prints the armored public key, or writes it to FILE. Refuses keys that cannot receive encrypted files.'],
  options: { key: { type: 'string' }, out: { type: 'string' } },
  async run(ctx, { values }) {
    const file = values.key as string | undefined;
    if (!file) throw new UsageError('key export-public needs --key PRIVATE.asc.');
    const data = await readKeyFile(ctx, file, 'The key file');
    const info = await inspectPublicKey(data);
    if (!info.hasEncryptionKey) {
      throw new PgpError(`The key ${formatFingerprint(info.fingerprint)} has no usable encryption subkey, so ASAPP could not encrypt to it: generate a new key pair (asapp-exports keygen) or add an encryption subkey in GnuPG (gpg --quick-add-key FINGERPRINT cv25519 encr never).`, { code: 'pgp.no-encryption-key' });
    }
    const armored = await publicKeyOf(data);
    const out = values.out as string | undefined;
    if (out) {
      const target = resolve(ctx.cwd, out);
      await writeFile(target, armored, { mode: 0o644 });
      if (ctx.json) ctx.printJson({ ok: true, ...keyInfoJson(info), publicKeyFile: target });
      else ctx.print(`Public key of ${formatFingerprint(info.fingerprint)} written to ${target}: send this file to ASAPP.`);
      return;
    }
    if (ctx.json) ctx.printJson({ ok: true, ...keyInfoJson(info), publicKeyArmored: armored });
    else ctx.print(armored.trimEnd());
  },
};

export const commands: CliCommand[] = [keygen, keyShow, keyExportPublic];
