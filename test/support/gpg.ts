// Real GnuPG playing the vendor, in a throw-away GNUPGHOME: batch mode, loopback pinentry (passphrases on
// the command line — test keys only), trust model "always" so imported keys can be encrypted to at once.
// stop() kills the gpg-agent of that home and removes it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GpgResult { code: number; stdout: Buffer; stderr: string }

export interface Gpg {
  home: string;
  /** Runs gpg with the batch options; rejects on a non-zero exit unless `allowFailure`. */
  run(args: string[], o?: { input?: string | Uint8Array; passphrase?: string; allowFailure?: boolean }): Promise<GpgResult>;
  importKey(armored: string, passphrase?: string): Promise<void>;
  /** What the vendor does: `gpg --encrypt -r RECIPIENT` (binary, or `--armor`). */
  encrypt(data: string | Uint8Array, recipient: string, o?: { armor?: boolean }): Promise<Buffer>;
  decrypt(data: string | Uint8Array, passphrase: string): Promise<Buffer>;
  /** `--quick-gen-key UID ALGO USAGE never`, plus an encryption subkey when `encryptionSubkey` is given. Returns the fingerprint. */
  generateKey(o: { uid: string; algo: string; usage: string; passphrase: string; encryptionSubkey?: string }): Promise<string>;
  exportSecretKey(fingerprint: string, passphrase: string, o?: { subkeysOnly?: boolean }): Promise<string>;
  exportPublicKey(fingerprint: string): Promise<string>;
  /** Long key ids (upper-case hex) of the subkeys that can encrypt. */
  encryptionSubkeyIds(fingerprint: string): Promise<string[]>;
  stop(): Promise<void>;
}

export function gpgAvailable(): Promise<boolean> {
  return new Promise(resolve => {
    const p = spawn('gpg', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('close', code => resolve(code === 0));
  });
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string | Uint8Array): Promise<GpgResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.on('error', reject);
    p.on('close', code => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
    p.stdin.on('error', () => {});
    p.stdin.end(input === undefined ? undefined : Buffer.from(input));
  });
}

export async function startGpg(): Promise<Gpg> {
  const home = await mkdtemp(join(tmpdir(), 'gnupg-'));
  const env = { ...process.env, GNUPGHOME: home, LC_ALL: 'C' };
  const base = ['--batch', '--no-tty', '--quiet', '--pinentry-mode', 'loopback', '--trust-model', 'always'];
  const gpg: Gpg = {
    home,
    async run(args, o = {}) {
      const pass = o.passphrase !== undefined ? ['--passphrase', o.passphrase] : [];
      const r = await exec('gpg', [...base, ...pass, ...args], env, o.input);
      if (r.code !== 0 && !o.allowFailure) throw new Error(`gpg ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r;
    },
    async importKey(armored, passphrase) {
      await gpg.run(['--import'], { input: armored, passphrase });
    },
    async encrypt(data, recipient, o = {}) {
      return (await gpg.run([...(o.armor ? ['--armor'] : []), '--encrypt', '--recipient', recipient, '--output', '-'], { input: data })).stdout;
    },
    async decrypt(data, passphrase) {
      return (await gpg.run(['--decrypt', '--output', '-'], { input: data, passphrase })).stdout;
    },
    async generateKey(o) {
      await gpg.run(['--quick-gen-key', o.uid, o.algo, o.usage, 'never'], { passphrase: o.passphrase });
      const listing = (await gpg.run(['--list-keys', '--with-colons', o.uid])).stdout.toString();
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
      if (!fpr) throw new Error(`no fingerprint for ${o.uid}: ${listing}`);
      if (o.encryptionSubkey) await gpg.run(['--quick-add-key', fpr, o.encryptionSubkey, 'encr', 'never'], { passphrase: o.passphrase });
      return fpr;
    },
    async exportSecretKey(fingerprint, passphrase, o = {}) {
      return (await gpg.run(['--armor', o.subkeysOnly ? '--export-secret-subkeys' : '--export-secret-keys', fingerprint], { passphrase })).stdout.toString();
    },
    async exportPublicKey(fingerprint) {
      return (await gpg.run(['--armor', '--export', fingerprint])).stdout.toString();
    },
    async encryptionSubkeyIds(fingerprint) {
      const listing = (await gpg.run(['--list-keys', '--with-colons', fingerprint])).stdout.toString();
      return listing.split('\n').filter(l => l.startsWith('sub:') && l.split(':')[11]?.includes('e')).map(l => l.split(':')[4]);
    },
    async stop() {
      await exec('gpgconf', ['--kill', 'gpg-agent'], env).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
  return gpg;
}
