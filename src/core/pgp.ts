// OpenPGP for the key exchange and for `.enc` export files, on openpgp.js v6, compatible with GnuPG 2.2+:
// keys are v4 (ECC curve25519Legacy by default, or RSA-4096) with the default S2K and no AEAD, because
// GnuPG 2.2/2.4 reject v6 keys, AEAD-protected keys and Argon2. openpgp is loaded on first use only, so
// the VS Code extension does not pay for it at activation. Every failure becomes a PgpError with advice.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as OpenPgp from 'openpgp';
import { CancellationError, PgpError, isCancellation, throwIfAborted } from './errors';

export type KeyAlgorithm = 'ecc' | 'rsa';

export interface KeyPair {
  privateKeyArmored: string;
  publicKeyArmored: string;
  /** Upper-case hex, 40 characters for v4 keys. */
  fingerprint: string;
  userId: string;
  algorithm: KeyAlgorithm;
}

export interface PublicKeyInfo {
  fingerprint: string;
  userIds: string[];
  /** Human-readable, e.g. 'ECC Curve25519' or 'RSA-4096'. */
  algorithm: string;
  /** False when GnuPG would answer "skipped: Unusable public key" (no valid encryption (sub)key). */
  hasEncryptionKey: boolean;
  created: Date;
}

export interface UnlockedKey {
  fingerprint: string;
  userIds: string[];
  key: OpenPgp.PrivateKey;
}

let openpgpModule: Promise<typeof OpenPgp> | undefined;

/** openpgp on first use (about 0.1 s and a few MB), shared afterwards. */
function openpgp(): Promise<typeof OpenPgp> {
  openpgpModule ??= import('openpgp');
  return openpgpModule;
}

// ------------------------------------------------------------------------------------------ errors

type Operation = 'generate' | 'read-key' | 'read-private-key' | 'unlock' | 'decrypt' | 'encrypt';

interface ErrorContext {
  op: Operation;
  /** Fingerprint of the key we tried to decrypt with (public information). */
  fingerprint?: string;
  /** Key IDs the message is encrypted to (public information). */
  recipients?: string[];
  what?: string;
  /** The message header parsed fine and the body is being read: broken armor now means a cut-off file. */
  midStream?: boolean;
}

/**
 * Maps an openpgp (or stream) error to a PgpError whose message says what is wrong and how to fix it.
 * openpgp's own messages never contain key material or plaintext, but we still only quote them in the
 * fallback case.
 */
export function toPgpError(err: unknown, ctx: ErrorContext): PgpError | CancellationError {
  if (err instanceof PgpError || err instanceof CancellationError) return err;
  if (isCancellation(err)) return new CancellationError();
  const raw = err instanceof Error ? err.message : String(err);
  const what = ctx.what ?? (ctx.op === 'decrypt' ? 'The file' : 'The key');
  const make = (code: string, message: string) => new PgpError(message, { code, cause: err });
  const ioCode = (err as NodeJS.ErrnoException | undefined)?.code;
  if (ioCode === 'ENOENT' || ioCode === 'EACCES' || ioCode === 'EISDIR' || ioCode === 'EPERM') {
    return make('pgp.io', `${what} cannot be read or written (${ioCode}): check the path and its permissions.`);
  }
  if (/Incorrect key passphrase/i.test(raw)) {
    return make('pgp.wrong-passphrase',
      'The passphrase does not unlock this private key. Type the passphrase chosen when the key was generated (or exported from GnuPG) and try again; check --passphrase-file / ASAPP_EXPORTS_PASSPHRASE for a stray character.');
  }
  if (/not of type private key/i.test(raw)) {
    return make('pgp.public-not-private',
      `${what} is a PUBLIC key; decrypting needs the PRIVATE key (private-key.asc from \`asapp-exports keygen\`, or \`gpg --export-secret-keys --armor YOUR_KEY_ID > private-key.asc\`).`);
  }
  if (/Private key is not decrypted|key is not decrypted/i.test(raw)) {
    return make('pgp.locked', 'The private key is still locked: unlock it with its passphrase first.');
  }
  if (/No decryption key packets found|Session key decryption failed|^Error decrypting message: Decryption error$|Decryption error/i.test(raw) && ctx.op === 'decrypt') {
    const to = ctx.recipients?.length ? ` It is encrypted to key ID ${ctx.recipients.join(', ')}` : ' It is encrypted to a different (or hidden) key';
    const mine = ctx.fingerprint ? `; your key is ${ctx.fingerprint}` : '';
    return make('pgp.wrong-key',
      `${what} was not encrypted to this private key.${to}${mine}. Use the private key whose public key you sent to ASAPP, or send ASAPP your current public key (asapp-exports key export-public) and ask them to encrypt the file again.`);
  }
  if (/Modification detected|Authentication tag mismatch|integrity check failed|MDC|Message digest did not match|tag mismatch/i.test(raw)) {
    return make('pgp.tampered',
      `${what} failed its integrity check: it was changed or corrupted after it was encrypted. Download it again; if it still fails, ask the sender to re-encrypt and resend it. Do not use any partial output.`);
  }
  if (/Unexpected end|end of packet|end of stream|truncated|Premature end|Not enough data|stream ended/i.test(raw)
    || (ctx.midStream && /Misformed armored text/i.test(raw))) {
    return make('pgp.truncated',
      `${what} ends too early: it was cut off during download or copy. Download it again (the full file) and retry.`);
  }
  if (/Could not find valid (?:encryption )?key packet|Could not find valid encryption key|No valid encryption key|encryption key.*(?:not|un)usable|no encryption/i.test(raw)) {
    return make('pgp.no-encryption-key',
      `${what} has no usable encryption subkey (it can only sign, or its subkey expired or was revoked), so nothing can be encrypted to it. Generate a new key pair with \`asapp-exports keygen\`, or add an encryption subkey in GnuPG (gpg --quick-add-key FINGERPRINT cv25519 encr never).`);
  }
  if (/Misformed armored text|Unknown ASCII armor|Armored text not of type|not conform to a valid OpenPGP|Error during parsing|Unexpected ASCII armor|Unknown packet|Invalid (?:packet|enum)|Unsupported/i.test(raw)) {
    const expected = ctx.op === 'decrypt' ? 'an OpenPGP-encrypted message (.gpg, .asc, .enc)'
      : ctx.op === 'read-private-key' || ctx.op === 'unlock' ? 'an OpenPGP private key (-----BEGIN PGP PRIVATE KEY BLOCK-----)'
        : 'an OpenPGP key (-----BEGIN PGP PUBLIC KEY BLOCK-----)';
    const hint = /not of type message/i.test(raw) ? ' It looks like a key, not an encrypted file.'
      : /not of type (?:public )?key/i.test(raw) ? ' It looks like an encrypted message, not a key.' : '';
    return make('pgp.not-openpgp', `${what} is not ${expected}.${hint} Check that you picked the right file and that it was not already decrypted or altered (e.g. opened and re-saved).`);
  }
  const label = { generate: 'Key generation', 'read-key': 'Reading the key', 'read-private-key': 'Reading the private key', unlock: 'Unlocking the private key', decrypt: 'Decryption', encrypt: 'Encryption' }[ctx.op];
  return make('pgp.failed', `${label} failed: ${raw.slice(0, 300)}`);
}

async function guard<T>(ctx: ErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toPgpError(e, ctx);
  }
}

// ------------------------------------------------------------------------------------------- keys

const ARMOR_PREFIX = '-----BEGIN PGP ';

function isArmored(text: string): boolean {
  return text.trimStart().startsWith(ARMOR_PREFIX);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

function describeAlgorithm(info: OpenPgp.AlgorithmInfo): string {
  if (info.algorithm.startsWith('rsa')) return `RSA-${info.bits ?? '?'}`;
  if (info.curve) return /25519/.test(info.curve) ? 'ECC Curve25519' : `ECC ${info.curve}`;
  return info.algorithm;
}

async function readAnyKey(data: string | Uint8Array, what?: string): Promise<OpenPgp.Key> {
  const pgp = await openpgp();
  return guard({ op: 'read-key', what }, async () => {
    if (typeof data === 'string') return pgp.readKey({ armoredKey: data });
    if (isArmored(new TextDecoder().decode(data.subarray(0, 64)))) return pgp.readKey({ armoredKey: new TextDecoder().decode(data) });
    return pgp.readKey({ binaryKey: data });
  });
}

async function hasEncryptionKey(key: OpenPgp.Key): Promise<boolean> {
  try {
    await key.getEncryptionKey();
    return true;
  } catch {
    return false;
  }
}

function checkUserInput(name: string, email: string, passphrase: string): void {
  if (!name.trim()) throw new PgpError('The key needs a name (e.g. --name "Jane Doe" or a team name).', { code: 'pgp.bad-user-id' });
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email.trim())) {
    throw new PgpError(`"${email}" is not an e-mail address: give the address ASAPP knows you by (e.g. --email jane@acme.com).`, { code: 'pgp.bad-user-id' });
  }
  if (/[<>]/.test(name)) throw new PgpError('The name must not contain "<" or ">".', { code: 'pgp.bad-user-id' });
  if (!passphrase) {
    throw new PgpError('The private key needs a passphrase: it protects the key if the file is ever copied.', { code: 'pgp.empty-passphrase' });
  }
}

/** A v4 key pair GnuPG 2.2+ can import and encrypt to; the private key is protected by `passphrase`. */
export async function generateKeyPair(o: { name: string; email: string; passphrase: string; algorithm?: KeyAlgorithm }): Promise<KeyPair> {
  checkUserInput(o.name, o.email, o.passphrase);
  const algorithm = o.algorithm ?? 'ecc';
  const pgp = await openpgp();
  const userId = { name: o.name.trim(), email: o.email.trim() };
  return guard({ op: 'generate' }, async () => {
    // v6Keys, aeadProtect and s2kType stay at their defaults (v4, no AEAD, iterated S2K): GnuPG needs that.
    const generated = algorithm === 'rsa'
      ? await pgp.generateKey({ type: 'rsa', rsaBits: 4096, userIDs: [userId], passphrase: o.passphrase, format: 'armored' })
      : await pgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [userId], passphrase: o.passphrase, format: 'armored' });
    const key = await pgp.readKey({ armoredKey: generated.publicKey });
    return {
      privateKeyArmored: generated.privateKey,
      publicKeyArmored: generated.publicKey,
      fingerprint: key.getFingerprint().toUpperCase(),
      userId: `${userId.name} <${userId.email}>`,
      algorithm,
    };
  });
}

/** Facts about a public key (a private key is accepted too: only its public part is looked at). */
export async function inspectPublicKey(armored: string | Uint8Array): Promise<PublicKeyInfo> {
  const key = await readAnyKey(armored);
  const publicKey = key.isPrivate() ? key.toPublic() : key;
  return {
    fingerprint: publicKey.getFingerprint().toUpperCase(),
    userIds: publicKey.getUserIDs(),
    algorithm: describeAlgorithm(publicKey.getAlgorithmInfo()),
    hasEncryptionKey: await hasEncryptionKey(publicKey),
    created: publicKey.getCreationTime(),
  };
}

/** The armored public key of a private key (an armored public key is returned re-armored). */
export async function publicKeyOf(privateKeyArmored: string | Uint8Array): Promise<string> {
  const key = await readAnyKey(privateKeyArmored);
  return (key.isPrivate() ? key.toPublic() : key).armor();
}

/** True when the text/bytes hold a private key block (armored or binary). Does not unlock anything. */
export async function isPrivateKey(data: string | Uint8Array): Promise<boolean> {
  return (await readAnyKey(data)).isPrivate();
}

/** False for a private key stored without passphrase protection (possible with GnuPG exports). */
export async function privateKeyNeedsPassphrase(data: string | Uint8Array): Promise<boolean> {
  const key = await readAnyKey(data, 'The key file');
  return key.isPrivate() && !(key as OpenPgp.PrivateKey).isDecrypted();
}

/**
 * Reads an armored (or binary) private key — ours or one exported by `gpg --export-secret-keys` — and
 * unlocks it. A key stored without protection is accepted as is.
 */
export async function unlockPrivateKey(armored: string | Uint8Array, passphrase: string): Promise<UnlockedKey> {
  const pgp = await openpgp();
  const key = await guard({ op: 'read-private-key', what: 'The key file' }, async () => {
    if (typeof armored === 'string' || isArmored(new TextDecoder().decode(armored.subarray(0, 64)))) {
      const text = typeof armored === 'string' ? armored : new TextDecoder().decode(armored);
      if (/-----BEGIN PGP PUBLIC KEY BLOCK-----/.test(text) && !/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(text)) {
        throw new Error('Armored text not of type private key');
      }
      return pgp.readPrivateKey({ armoredKey: text });
    }
    const any = await pgp.readKey({ binaryKey: armored });
    if (!any.isPrivate()) throw new Error('Armored text not of type private key');
    return any;
  });
  const fingerprint = key.getFingerprint().toUpperCase();
  const unlocked = key.isDecrypted()
    ? key
    : await guard({ op: 'unlock', fingerprint }, () => pgp.decryptKey({ privateKey: key, passphrase }));
  return { fingerprint, userIds: unlocked.getUserIDs(), key: unlocked };
}

// ------------------------------------------------------------------------------------- decryption

function recipientsOf(message: OpenPgp.Message<any>): string[] {
  try {
    return message.getEncryptionKeyIDs().map(id => id.toHex().toUpperCase()).filter(id => !/^0+$/.test(id));
  } catch {
    return [];
  }
}

/** Decrypts a small message held in memory (binary `.gpg` or armored `.asc`), returning the exact bytes. */
export async function decryptMessage(data: Uint8Array | string, key: UnlockedKey): Promise<{ data: Uint8Array; filename?: string }> {
  const pgp = await openpgp();
  const head = typeof data === 'string' ? data.slice(0, 64) : new TextDecoder().decode(data.subarray(0, 64));
  const message = await guard({ op: 'decrypt' }, async () => {
    if (isArmored(head)) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      if (!/-----END PGP [A-Z ]+-----/.test(text)) throw new Error('Unexpected end of armored text');
      return pgp.readMessage({ armoredMessage: typeof data === 'string' ? data : new TextDecoder().decode(data) });
    }
    const bytes = toBytes(data);
    checkBinaryStart(bytes);
    return pgp.readMessage({ binaryMessage: bytes });
  });
  const ctx: ErrorContext = { op: 'decrypt', fingerprint: key.fingerprint, recipients: recipientsOf(message) };
  return guard(ctx, async () => {
    const result = await pgp.decrypt({ message: message as OpenPgp.Message<Uint8Array>, decryptionKeys: key.key, format: 'binary' });
    return { data: result.data as Uint8Array, ...(result.filename ? { filename: result.filename } : {}) };
  });
}

/** An OpenPGP binary packet always has the high bit set in its first byte; text never starts that way. */
function checkBinaryStart(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new Error('Error during parsing: empty input');
  if ((bytes[0] & 0x80) === 0) throw new Error('Error during parsing. This message / key probably does not conform to a valid OpenPGP format.');
}

/**
 * Plaintext of a (binary or armored) message as a Node Readable. Streams with
 * `allowUnauthenticatedStream`, so memory stays flat for big files — which means the integrity check
 * (tampering, truncation) fails at the END as a stream error: consumers must treat the output as
 * provisional until the stream ends cleanly (decryptFile does: temp file + rename).
 */
export async function decryptStream(input: Readable, key: UnlockedKey, o: { signal?: AbortSignal } = {}): Promise<Readable> {
  throwIfAborted(o.signal);
  const pgp = await openpgp();
  const source = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
  const reader = source.getReader();
  const onAbortEarly = () => { input.destroy(); };
  o.signal?.addEventListener('abort', onAbortEarly, { once: true });
  let head: Uint8Array;
  try {
    head = await readHead(reader, 64);
  } catch (e) {
    o.signal?.removeEventListener('abort', onAbortEarly);
    throw toPgpError(o.signal?.aborted ? new CancellationError() : e, { op: 'decrypt' });
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length) controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  let message: OpenPgp.Message<any>;
  try {
    throwIfAborted(o.signal);
    const armored = isArmored(new TextDecoder().decode(head));
    if (!armored) checkBinaryStart(head);
    message = armored
      ? await pgp.readMessage({ armoredMessage: replay.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>) })
      : await pgp.readMessage({ binaryMessage: replay });
  } catch (e) {
    o.signal?.removeEventListener('abort', onAbortEarly);
    void replay.cancel().catch(() => {});
    input.destroy();
    throw toPgpError(o.signal?.aborted ? new CancellationError() : e, { op: 'decrypt' });
  }
  const ctx: ErrorContext = { op: 'decrypt', fingerprint: key.fingerprint, recipients: recipientsOf(message) };
  let plain: ReadableStream<Uint8Array>;
  try {
    const result = await pgp.decrypt({ message, decryptionKeys: key.key, format: 'binary', config: { allowUnauthenticatedStream: true } });
    plain = result.data as unknown as ReadableStream<Uint8Array>;
  } catch (e) {
    o.signal?.removeEventListener('abort', onAbortEarly);
    input.destroy();
    throw toPgpError(o.signal?.aborted ? new CancellationError() : e, ctx);
  }
  o.signal?.removeEventListener('abort', onAbortEarly);
  const plainReader = plain.getReader();
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        throwIfAborted(o.signal);
        const { done, value } = await plainReader.read();
        if (done) return;
        if (value.length) yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
    } catch (e) {
      throw toPgpError(o.signal?.aborted ? new CancellationError() : e, { ...ctx, midStream: true });
    } finally {
      // Early stop (consumer destroyed us, or an error): release the file/socket underneath.
      void plainReader.cancel().catch(() => {});
      input.destroy();
    }
  }
  const out = Readable.from(chunks(), { objectMode: false });
  // Also when destroyed before the first read (the generator's finally then never runs).
  out.once('close', () => { void plainReader.cancel().catch(() => {}); input.destroy(); });
  if (o.signal) {
    const onAbort = () => out.destroy(new CancellationError());
    o.signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', () => o.signal?.removeEventListener('abort', onAbort));
  }
  return out;
}

/** Reads at least `min` bytes (fewer only at the end of the stream) without losing any. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>, min: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < min) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Decrypts `input` into `output` through a temp file in the output's folder; the temp file is renamed
 * only once the whole message decrypted and passed its integrity check, and removed on any error or abort,
 * so `output` never holds partial or unauthenticated plaintext.
 */
export async function decryptFile(
  input: string,
  output: string,
  key: UnlockedKey,
  o: { signal?: AbortSignal; mode?: number } = {},
): Promise<{ bytes: number }> {
  if (resolve(input) === resolve(output)) {
    throw new PgpError(`Cannot decrypt ${input} onto itself: choose a different output file.`, { code: 'pgp.same-file' });
  }
  throwIfAborted(o.signal);
  const temp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.part`);
  let bytes = 0;
  try {
    const plain = await decryptStream(createReadStream(input), key, { signal: o.signal });
    plain.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    await pipeline(plain, createWriteStream(temp, { flags: 'wx', mode: o.mode ?? 0o666 }), o.signal ? { signal: o.signal } : {});
    throwIfAborted(o.signal);
    await rename(temp, output);
    return { bytes };
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {});
    throw toPgpError(o.signal?.aborted ? new CancellationError() : e, { op: 'decrypt', fingerprint: key.fingerprint, what: `The file ${basename(input)}` });
  }
}

// ------------------------------------------------------------------------------------- encryption

/**
 * What the vendor does with `gpg --encrypt -r KEY`: encrypt to a public key, binary by default or
 * ASCII-armored. Used by the sample generator, the demo and the tests.
 */
export async function encryptForRecipient(
  data: Uint8Array | string,
  publicKeyArmored: string,
  o: { armor?: boolean; filename?: string } = {},
): Promise<Uint8Array | string> {
  const pgp = await openpgp();
  const key = await readAnyKey(publicKeyArmored, 'The recipient key');
  const recipient = key.isPrivate() ? key.toPublic() : key;
  if (!(await hasEncryptionKey(recipient))) {
    throw toPgpError(new Error('No valid encryption key'), { op: 'encrypt', what: 'The recipient key' });
  }
  return guard({ op: 'encrypt', what: 'The recipient key' }, async () => {
    const message = await pgp.createMessage({ binary: toBytes(data), ...(o.filename ? { filename: o.filename } : {}) });
    return o.armor
      ? pgp.encrypt({ message, encryptionKeys: recipient, format: 'armored' })
      : pgp.encrypt({ message, encryptionKeys: recipient, format: 'binary' });
  });
}
