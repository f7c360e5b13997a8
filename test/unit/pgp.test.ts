import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import {
  decryptFile, decryptMessage, decryptStream, encryptForRecipient, generateKeyPair, inspectPublicKey, publicKeyOf,
  unlockPrivateKey, type KeyPair, type UnlockedKey,
} from '../../src/core/pgp';
import { CancellationError, PgpError } from '../../src/core/errors';

const PASSPHRASE = 'unit test passphrase';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<PgpError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => { caught = e; return true; });
  assert.ok(caught instanceof PgpError, `expected PgpError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('pgp', function () {
  this.timeout(60_000);
  let pair: KeyPair;
  let other: KeyPair;
  let key: UnlockedKey;
  let dir: string;
  const plain = Buffer.from('id\tsecret\tbucket\r\nline two\n');

  before(async () => {
    pair = await generateKeyPair({ name: 'Jane Doe', email: 'jane@acme.example', passphrase: PASSPHRASE });
    other = await generateKeyPair({ name: 'Other', email: 'other@acme.example', passphrase: 'other passphrase' });
    key = await unlockPrivateKey(pair.privateKeyArmored, PASSPHRASE);
    dir = await mkdtemp(join(tmpdir(), 'pgp-test-'));
  });
  after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  describe('keys', () => {
    it('generates a passphrase-protected v4 ECC key pair with an encryption subkey', async () => {
      assert.match(pair.fingerprint, /^[0-9A-F]{40}$/); // v4: 40 hex digits (v6 would be 64)
      assert.equal(pair.userId, 'Jane Doe <jane@acme.example>');
      assert.equal(pair.algorithm, 'ecc');
      assert.match(pair.privateKeyArmored, /^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
      assert.match(pair.publicKeyArmored, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
      const info = await inspectPublicKey(pair.publicKeyArmored);
      assert.equal(info.fingerprint, pair.fingerprint);
      assert.deepEqual(info.userIds, ['Jane Doe <jane@acme.example>']);
      assert.equal(info.algorithm, 'ECC Curve25519');
      assert.equal(info.hasEncryptionKey, true);
      assert.ok(Math.abs(info.created.getTime() - Date.now()) < 120_000);
      // Protected: the private key itself is locked until the passphrase is given.
      const openpgp = await import('openpgp');
      const locked = await openpgp.readPrivateKey({ armoredKey: pair.privateKeyArmored });
      assert.equal(locked.isDecrypted(), false);
      assert.equal(locked.keyPacket.version, 4);
    });

    it('rejects an empty passphrase, a missing name and a bad e-mail', async () => {
      await rejectsWith(generateKeyPair({ name: 'A', email: 'a@b.example', passphrase: '' }), 'pgp.empty-passphrase');
      await rejectsWith(generateKeyPair({ name: ' ', email: 'a@b.example', passphrase: 'x' }), 'pgp.bad-user-id');
      await rejectsWith(generateKeyPair({ name: 'A', email: 'not-an-email', passphrase: 'x' }), 'pgp.bad-user-id');
    });

    it('publicKeyOf gives the public key of a private key, without any secret material', async () => {
      const pub = await publicKeyOf(pair.privateKeyArmored);
      assert.match(pub, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
      assert.doesNotMatch(pub, /PRIVATE/);
      assert.equal((await inspectPublicKey(pub)).fingerprint, pair.fingerprint);
      // inspectPublicKey on a private key looks only at its public part.
      assert.equal((await inspectPublicKey(pair.privateKeyArmored)).fingerprint, pair.fingerprint);
    });

    it('unlocks with the right passphrase only', async () => {
      assert.equal(key.fingerprint, pair.fingerprint);
      assert.deepEqual(key.userIds, ['Jane Doe <jane@acme.example>']);
      assert.equal(key.key.isDecrypted(), true);
      const err = await rejectsWith(unlockPrivateKey(pair.privateKeyArmored, 'wrong'), 'pgp.wrong-passphrase');
      assert.match(err.message, /passphrase/);
      assert.ok(!err.message.includes('wrong'), 'the attempted passphrase is not echoed');
    });

    it('maps a public key given as private, and non-key input', async () => {
      const err = await rejectsWith(unlockPrivateKey(pair.publicKeyArmored, PASSPHRASE), 'pgp.public-not-private');
      assert.match(err.message, /PRIVATE key/);
      await rejectsWith(unlockPrivateKey(new Uint8Array(Buffer.from(pair.publicKeyArmored)), PASSPHRASE), 'pgp.public-not-private');
      await rejectsWith(unlockPrivateKey('hello, not a key', PASSPHRASE), 'pgp.not-openpgp');
      await rejectsWith(inspectPublicKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI jane@laptop'), 'pgp.not-openpgp');
      const message = await encryptForRecipient('x', pair.publicKeyArmored, { armor: true }) as string;
      const e = await rejectsWith(inspectPublicKey(message), 'pgp.not-openpgp');
      assert.match(e.message, /encrypted message, not a key/);
    });
  });

  describe('decryptMessage', () => {
    it('round-trips binary and armored messages byte for byte (CRLF kept) with the file name', async () => {
      for (const armor of [false, true]) {
        const enc = await encryptForRecipient(plain, pair.publicKeyArmored, { armor, filename: 'creds.tsv' });
        const out = await decryptMessage(enc, key);
        assert.ok(Buffer.from(out.data).equals(plain));
        assert.equal(out.filename, 'creds.tsv');
        if (armor) assert.ok(Buffer.from((await decryptMessage(new Uint8Array(Buffer.from(enc as string)), key)).data).equals(plain));
      }
    });

    it('maps every failure to a PgpError with advice', async () => {
      const enc = await encryptForRecipient(plain, pair.publicKeyArmored) as Uint8Array;
      const armored = await encryptForRecipient(plain, pair.publicKeyArmored, { armor: true }) as string;
      const otherKey = await unlockPrivateKey(other.privateKeyArmored, 'other passphrase');
      const wrong = await rejectsWith(decryptMessage(enc, otherKey), 'pgp.wrong-key');
      assert.match(wrong.message, new RegExp(other.fingerprint));
      await rejectsWith(decryptMessage('id\tsecret\tbucket\n', key), 'pgp.not-openpgp');
      await rejectsWith(decryptMessage(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), key), 'pgp.not-openpgp');
      await rejectsWith(decryptMessage(new Uint8Array(0), key), 'pgp.not-openpgp');
      const asKey = await rejectsWith(decryptMessage(pair.publicKeyArmored, key), 'pgp.not-openpgp');
      assert.match(asKey.message, /a key, not an encrypted file/);
      const tampered = enc.slice();
      tampered[tampered.length - 5] ^= 0x01;
      await rejectsWith(decryptMessage(tampered, key), 'pgp.tampered');
      await rejectsWith(decryptMessage(enc.slice(0, enc.length - 10), key), 'pgp.truncated');
      await rejectsWith(decryptMessage(armored.slice(0, armored.length - 60), key), 'pgp.truncated');
      const lockedKey = { ...key, key: (await import('openpgp')).readPrivateKey({ armoredKey: pair.privateKeyArmored }) };
      await rejectsWith(decryptMessage(enc, { ...key, key: await lockedKey.key }), 'pgp.locked');
    });
  });

  describe('streams', () => {
    let big: Buffer;
    let bigEnc: Uint8Array;
    before(async () => {
      big = randomBytes(2 * 1024 * 1024 + 3);
      bigEnc = await encryptForRecipient(big, pair.publicKeyArmored) as Uint8Array;
    });

    it('decryptStream yields the plaintext of binary and armored input, whatever the chunking', async () => {
      const chunked = (buf: Buffer, size: number) => Readable.from((function* () { for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size); })());
      assert.ok((await drain(await decryptStream(chunked(Buffer.from(bigEnc), 65_537), key))).equals(big));
      const small = randomBytes(20_000);
      const smallEnc = Buffer.from(await encryptForRecipient(small, pair.publicKeyArmored) as Uint8Array);
      assert.ok((await drain(await decryptStream(chunked(smallEnc, 7), key))).equals(small));
      const armored = Buffer.from(await encryptForRecipient(plain, pair.publicKeyArmored, { armor: true }) as string);
      assert.ok((await drain(await decryptStream(chunked(armored, 5), key))).equals(plain));
    });

    it('decryptStream reports tampering and truncation as a stream error at the end', async () => {
      const tampered = Buffer.from(bigEnc);
      tampered[tampered.length - 5] ^= 0x01;
      const s1 = await decryptStream(Readable.from([tampered]), key);
      await rejectsWith(drain(s1), 'pgp.tampered');
      const s2 = await decryptStream(Readable.from([Buffer.from(bigEnc.subarray(0, bigEnc.length - 1000))]), key);
      await rejectsWith(drain(s2), 'pgp.truncated');
      const armored = await encryptForRecipient(big, pair.publicKeyArmored, { armor: true }) as string;
      const s3 = await decryptStream(Readable.from([Buffer.from(armored.slice(0, armored.length / 2))]), key);
      await rejectsWith(drain(s3), 'pgp.truncated');
    });

    it('decryptStream fails early for plain text, the wrong key, and releases the input', async () => {
      const input = Readable.from([Buffer.from('just text, not encrypted')]);
      await rejectsWith(decryptStream(input, key), 'pgp.not-openpgp');
      const otherKey = await unlockPrivateKey(other.privateKeyArmored, 'other passphrase');
      const encInput = Readable.from([Buffer.from(bigEnc)]);
      await rejectsWith(decryptStream(encInput, otherKey), 'pgp.wrong-key');
      assert.equal(encInput.destroyed, true);
    });

    it('destroying the plaintext stream early releases the input', async () => {
      const input = new PassThrough();
      input.write(Buffer.from(bigEnc.subarray(0, 200_000)));
      const out = await decryptStream(input, key);
      out.destroy();
      await new Promise(r => setImmediate(r));
      await new Promise(r => setImmediate(r));
      assert.equal(input.destroyed, true);
    });

    it('decryptFile writes the output only after a clean end, and no temp file is left on errors', async () => {
      const input = join(dir, 'big.gpg');
      await writeFile(input, bigEnc);
      const output = join(dir, 'big.bin');
      const { bytes } = await decryptFile(input, output, key);
      assert.equal(bytes, big.length);
      assert.ok((await readFile(output)).equals(big));

      const tamperedFile = join(dir, 'tampered.gpg');
      const tampered = Buffer.from(bigEnc);
      tampered[tampered.length - 5] ^= 0x01;
      await writeFile(tamperedFile, tampered);
      await rejectsWith(decryptFile(tamperedFile, join(dir, 'tampered.bin'), key), 'pgp.tampered');
      await rejectsWith(decryptFile(join(dir, 'missing.gpg'), join(dir, 'missing.bin'), key), 'pgp.io');
      await rejectsWith(decryptFile(input, input, key), 'pgp.same-file');
      const files = (await readdir(dir)).sort();
      assert.deepEqual(files, ['big.bin', 'big.gpg', 'tampered.gpg']);
    });

    it('decryptFile stops on abort with a CancellationError and removes its temp file', async () => {
      const input = join(dir, 'abort.gpg');
      const huge = await encryptForRecipient(randomBytes(8 * 1024 * 1024), pair.publicKeyArmored) as Uint8Array;
      await writeFile(input, huge);
      const controller = new AbortController();
      const running = decryptFile(input, join(dir, 'abort.bin'), key, { signal: controller.signal });
      setTimeout(() => controller.abort(), 5);
      await assert.rejects(running, (e: unknown) => e instanceof CancellationError);
      const already = new AbortController();
      already.abort();
      await assert.rejects(decryptFile(input, join(dir, 'abort.bin'), key, { signal: already.signal }), (e: unknown) => e instanceof CancellationError);
      const files = await readdir(dir);
      assert.ok(!files.some(f => f.includes('abort.bin')), `left behind: ${files.join(', ')}`);
      await rm(input);
    });
  });

  describe('encryptForRecipient', () => {
    it('refuses a key without an encryption subkey', async () => {
      // A sign-only v4 key: generate, then drop the encryption subkey.
      const openpgp = await import('openpgp');
      const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'S', email: 's@acme.example' }], format: 'object' });
      const signOnly = privateKey.toPublic();
      signOnly.subkeys = [];
      assert.equal((await inspectPublicKey(signOnly.armor())).hasEncryptionKey, false);
      const err = await rejectsWith(encryptForRecipient('x', signOnly.armor()), 'pgp.no-encryption-key');
      assert.match(err.message, /encryption subkey/);
    });

    it('does not load openpgp until a function needs it', async () => {
      // Checked in a fresh process: importing pgp.ts must not pull openpgp in (the extension imports core at activation).
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e',
        "require('./src/core/pgp'); console.log(Object.keys(require.cache).some(k => k.includes('node_modules/openpgp/')))"], { cwd: join(__dirname, '../..') }).toString().trim();
      assert.equal(out, 'false');
    });
  });
});
