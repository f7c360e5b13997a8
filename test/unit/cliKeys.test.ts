// keygen / key / credentials commands, in process through main() and once through the built dist/cli.js.
// The last suite collects every byte these commands printed or wrote and checks that no secret is there.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main';
import { encryptForRecipient, type KeyPair } from '../../src/core/pgp';
import { formatCredentialsFile } from '../../src/core/credentials';
import { readToolProfile } from '../../src/core/awsProfile';

const repo = join(__dirname, '../..');
const PASSPHRASE = 'cli test passphrase 42';
const ID1 = 'AKIAIOSFODNN7EXAMPLE';
const SECRET1 = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ID2 = 'AKIAI44QH8DHBEXAMPLE';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const CREDENTIALS = formatCredentialsFile([
  { accessKeyId: ID1, secretAccessKey: SECRET1, bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: 'acme' },
  { accessKeyId: ID2, secretAccessKey: SECRET2, bucket: 'asapp-prod-acme-exports-us-east-1', subFolder: 'acme' },
], { header: true });

interface Result { code: number; stdout: string; stderr: string }

/** Everything the commands printed, for the secrets check at the end. */
const transcript: string[] = [];

/** A terminal stdin that answers hidden prompts with `answers`, one per prompt. */
function fakeTty(answers: string[]): NodeJS.ReadStream {
  const tty = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.assign(tty, {
    isTTY: true,
    setRawMode: () => tty,
    resume: () => tty,
    pause: () => tty,
    setEncoding: () => tty,
  });
  tty.on('newListener', (event: string) => {
    if (event === 'data') setImmediate(() => tty.emit('data', `${answers.shift() ?? ''}\r`));
  });
  return tty as unknown as NodeJS.ReadStream;
}

describe('CLI: keygen, key, credentials', function () {
  this.timeout(60_000);
  let root: string;
  let env: NodeJS.ProcessEnv;

  async function cli(args: string[], o: { env?: NodeJS.ProcessEnv; stdin?: NodeJS.ReadStream; cwd?: string } = {}): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      stdout: { write: (t: string) => { stdout += t; return true; } },
      stderr: { write: (t: string) => { stderr += t; return true; } },
      env: o.env ?? env,
      cwd: o.cwd ?? root,
      stdin: o.stdin ?? Object.assign(new EventEmitter(), { isTTY: false }) as unknown as NodeJS.ReadStream,
    });
    transcript.push(stdout, stderr);
    return { code, stdout, stderr };
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cli-keys-'));
    env = {
      HOME: join(root, 'home'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'home', 'aws', 'credentials'),
      AWS_CONFIG_FILE: join(root, 'home', 'aws', 'config'),
      ASAPP_EXPORTS_PASSPHRASE: PASSPHRASE,
    };
    await writeFile(join(root, 'pass.txt'), `${PASSPHRASE}\n`, { mode: 0o600 });
  });
  after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

  describe('keygen', () => {
    it('writes private-key.asc (0600) and public-key.asc, prints the fingerprint and what to send', async () => {
      const r = await cli(['keygen', '--name', 'Jane Doe', '--email', 'jane@acme.example', '--out', 'keys']);
      assert.equal(r.code, 0, r.stderr);
      const priv = join(root, 'keys', 'private-key.asc');
      const pub = join(root, 'keys', 'public-key.asc');
      assert.equal((await stat(priv)).mode & 0o777, 0o600);
      assert.match(await readFile(priv, 'utf8'), /^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
      assert.match(await readFile(pub, 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
      assert.match(r.stdout, /fingerprint {2}([0-9A-F]{4} ){9}[0-9A-F]{4}\n/);
      assert.ok(r.stdout.includes(`send ${pub} to ASAPP`));
      assert.match(r.stdout, /Never send private-key\.asc/);
    });

    it('refuses to overwrite an existing private key unless --force', async () => {
      const before = await readFile(join(root, 'keys', 'private-key.asc'), 'utf8');
      const r = await cli(['keygen', '--name', 'Jane Doe', '--email', 'jane@acme.example', '--out', 'keys']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /already exists.*--force/);
      assert.equal(await readFile(join(root, 'keys', 'private-key.asc'), 'utf8'), before);
      const forced = await cli(['keygen', '--name', 'Jane Doe', '--email', 'jane@acme.example', '--out', 'keys2', '--json']);
      assert.equal(forced.code, 0);
      const again = await cli(['keygen', '--name', 'Jane Doe', '--email', 'jane@acme.example', '--out', 'keys2', '--force', '--json']);
      assert.equal(again.code, 0, again.stderr);
      const first = JSON.parse(forced.stdout);
      const second = JSON.parse(again.stdout);
      assert.notEqual(first.fingerprint, second.fingerprint);
      assert.equal(second.hasEncryptionKey, true);
      assert.equal(second.sendToAsapp, join(root, 'keys2', 'public-key.asc'));
      assert.equal((await stat(join(root, 'keys2', 'private-key.asc'))).mode & 0o777, 0o600);
    });

    it('takes the passphrase from --passphrase-file, or asks twice on a terminal', async () => {
      const noEnv = { ...env, ASAPP_EXPORTS_PASSPHRASE: undefined };
      const fromFile = await cli(['keygen', '--name', 'F', '--email', 'f@acme.example', '--out', 'kf', '--passphrase-file', 'pass.txt', '--json'], { env: noEnv });
      assert.equal(fromFile.code, 0, fromFile.stderr);
      // The file's trailing newline is not part of the passphrase: decrypting with the env variable works.
      const enc = await encryptForRecipient(CREDENTIALS, await readFile(join(root, 'kf', 'public-key.asc'), 'utf8'));
      await writeFile(join(root, 'kf', 'creds.gpg'), enc);
      const dec = await cli(['credentials', 'decrypt', 'kf/creds.gpg', '--key', 'kf/private-key.asc', '--profile-prefix', 'kf']);
      assert.equal(dec.code, 0, dec.stderr);

      const prompted = await cli(['keygen', '--name', 'P', '--email', 'p@acme.example', '--out', 'kp'], { env: noEnv, stdin: fakeTty([PASSPHRASE, PASSPHRASE]) });
      assert.equal(prompted.code, 0, prompted.stderr);
      assert.match(prompted.stderr, /Passphrase for the new private key: /);
      const mismatch = await cli(['keygen', '--name', 'P', '--email', 'p@acme.example', '--out', 'km'], { env: noEnv, stdin: fakeTty([PASSPHRASE, 'something else']) });
      assert.equal(mismatch.code, 2);
      assert.match(mismatch.stderr, /passphrases differ/);
      assert.equal(existsSync(join(root, 'km', 'private-key.asc')), false);
      const noTty = await cli(['keygen', '--name', 'P', '--email', 'p@acme.example', '--out', 'kn'], { env: noEnv });
      assert.equal(noTty.code, 2);
      assert.match(noTty.stderr, /--passphrase-file F or ASAPP_EXPORTS_PASSPHRASE/);
    });

    it('usage errors exit 2', async () => {
      assert.equal((await cli(['keygen', '--email', 'x@acme.example'])).code, 2);
      assert.equal((await cli(['keygen', '--name', 'X', '--email', 'x@acme.example', '--bogus'])).code, 2);
      const badEmail = await cli(['keygen', '--name', 'X', '--email', 'nope', '--out', 'kx']);
      assert.equal(badEmail.code, 1);
      assert.match(badEmail.stderr, /not an e-mail address/);
    });
  });

  describe('key show / export-public', () => {
    it('shows fingerprint, user id, encryption capability and the public key, for a public or a private key', async () => {
      for (const file of ['keys/public-key.asc', 'keys/private-key.asc']) {
        const r = await cli(['key', 'show', '--key', file]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /user id {6}Jane Doe <jane@acme\.example>/);
        assert.match(r.stdout, /encryption {3}yes/);
        assert.match(r.stdout, /-----BEGIN PGP PUBLIC KEY BLOCK-----/);
        assert.doesNotMatch(r.stdout, /PRIVATE KEY/);
      }
      const json = JSON.parse((await cli(['key', 'show', '--key', 'keys/private-key.asc', '--json'])).stdout);
      assert.equal(json.isPrivate, true);
      assert.equal(json.hasEncryptionKey, true);
      assert.equal(json.publicKeyArmored, await readFile(join(root, 'keys', 'public-key.asc'), 'utf8'));
      const dflt = await cli(['key', 'show'], { cwd: join(root, 'keys') });
      assert.match(dflt.stdout, /^Public key public-key\.asc/);
    });

    it('export-public writes the public key; a key without encryption subkey is refused and flagged', async () => {
      const r = await cli(['key', 'export-public', '--key', 'keys/private-key.asc', '--out', 'exported.asc']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await readFile(join(root, 'exported.asc'), 'utf8'), await readFile(join(root, 'keys', 'public-key.asc'), 'utf8'));
      const openpgp = await import('openpgp');
      const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'S', email: 's@acme.example' }], format: 'object' });
      publicKey.subkeys = [];
      await writeFile(join(root, 'sign-only.asc'), publicKey.armor());
      const refused = await cli(['key', 'export-public', '--key', 'sign-only.asc']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /no usable encryption subkey/);
      const shown = await cli(['key', 'show', '--key', 'sign-only.asc']);
      assert.match(shown.stdout, /encryption {3}NO/);
      assert.match(shown.stderr, /do not send this key to ASAPP/);
    });
  });

  describe('credentials decrypt / import / list', () => {
    let pair: KeyPair;
    before(async () => {
      pair = { privateKeyArmored: await readFile(join(root, 'keys', 'private-key.asc'), 'utf8'), publicKeyArmored: await readFile(join(root, 'keys', 'public-key.asc'), 'utf8') } as KeyPair;
      await writeFile(join(root, 'creds.gpg'), await encryptForRecipient(CREDENTIALS, pair.publicKeyArmored));
      await writeFile(join(root, 'creds.asc'), await encryptForRecipient(CREDENTIALS, pair.publicKeyArmored, { armor: true }));
    });

    it('decrypts a binary file into one profile per environment and prints only the masked key id', async () => {
      const r = await cli(['credentials', 'decrypt', 'creds.gpg', '--key', 'keys/private-key.asc']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2 environments/);
      assert.match(r.stdout, /asapp-preprod\s+preprod\s+asapp-preprod-acme-exports-us-east-1\s+acme\s+us-east-1\s+AKIA…MPLE/);
      assert.match(r.stdout, /asapp-prod\s+prod\s+asapp-prod-acme-exports-us-east-1\s+acme\s+us-east-1\s+AKIA…MPLE/);
      assert.ok(!r.stdout.includes(ID1) && !r.stdout.includes(SECRET1));
      const creds = await readFile(env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8');
      assert.ok(creds.includes(`[asapp-prod]\naws_access_key_id = ${ID2}\naws_secret_access_key = ${SECRET2}`));
      assert.equal((await stat(env.AWS_SHARED_CREDENTIALS_FILE!)).mode & 0o777, 0o600);
      assert.deepEqual(await readToolProfile('asapp-preprod', env), { profile: 'asapp-preprod', bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: 'acme', region: 'us-east-1' });
    });

    it('decrypts an armored file with --json, a prefix and an endpoint', async () => {
      const r = await cli(['credentials', 'decrypt', 'creds.asc', '--key', 'keys/private-key.asc', '--profile-prefix', 'acme', '--endpoint', 'http://127.0.0.1:9000', '--passphrase-file', 'pass.txt', '--json'], { env: { ...env, ASAPP_EXPORTS_PASSPHRASE: undefined } });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.profiles.map((p: { profile: string; env: string; accessKeyId: string; endpoint: string }) => [p.profile, p.env, p.accessKeyId, p.endpoint]),
        [['acme-preprod', 'preprod', 'AKIA…MPLE', 'http://127.0.0.1:9000'], ['acme-prod', 'prod', 'AKIA…MPLE', 'http://127.0.0.1:9000']]);
      assert.equal((await readToolProfile('acme-prod', env))?.endpoint, 'http://127.0.0.1:9000');
    });

    it('imports an already-decrypted file (custom bucket → the prefix itself) and lists the profiles', async () => {
      await writeFile(join(root, 'plain.tsv'), `${ID1}\t${SECRET1}\tmy-company-exports\n`, { mode: 0o600 });
      const r = await cli(['credentials', 'import', 'plain.tsv', '--profile-prefix', 'custom', '--region', 'eu-west-1']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await readToolProfile('custom', env), { profile: 'custom', bucket: 'my-company-exports', subFolder: '', region: 'eu-west-1' });
      const list = await cli(['credentials', 'list']);
      assert.match(list.stdout, /^custom {2}s3:\/\/my-company-exports\/ {2}eu-west-1$/m);
      assert.match(list.stdout, /^asapp-prod {2}s3:\/\/asapp-prod-acme-exports-us-east-1\/acme\/ {2}us-east-1$/m);
      const decryptPlain = await cli(['credentials', 'decrypt', 'plain.tsv', '--key', 'keys/private-key.asc']);
      assert.equal(decryptPlain.code, 1);
      assert.match(decryptPlain.stderr, /not encrypted.*credentials import plain\.tsv/);
    });

    it('error paths: wrong passphrase, wrong key, public key, not OpenPGP, bad line, missing files', async () => {
      const wrongPass = await cli(['credentials', 'decrypt', 'creds.gpg', '--key', 'keys/private-key.asc'], { env: { ...env, ASAPP_EXPORTS_PASSPHRASE: 'not the passphrase' } });
      assert.equal(wrongPass.code, 1);
      assert.match(wrongPass.stderr, /^asapp-exports: The passphrase does not unlock this private key/);
      assert.equal(wrongPass.stderr.trim().split('\n').length, 1);
      const wrongKey = await cli(['credentials', 'decrypt', 'creds.gpg', '--key', 'keys2/private-key.asc']);
      assert.equal(wrongKey.code, 1);
      assert.match(wrongKey.stderr, /not encrypted to this private key/);
      const publicKey = await cli(['credentials', 'decrypt', 'creds.gpg', '--key', 'keys/public-key.asc']);
      assert.match(publicKey.stderr, /PUBLIC key; decrypting needs the PRIVATE key/);
      await writeFile(join(root, 'garbage.gpg'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
      const garbage = await cli(['credentials', 'decrypt', 'garbage.gpg', '--key', 'keys/private-key.asc', '--json']);
      assert.equal(garbage.code, 1);
      assert.equal(JSON.parse(garbage.stdout).error.code, 'pgp.not-openpgp');
      // A bad line inside a correctly encrypted file: line + field named, nothing of the secret shown.
      await writeFile(join(root, 'badline.gpg'), await encryptForRecipient(`${ID1}\t${SECRET1}\tasapp-prod-acme-exports-us-east-1\nakia\t${SECRET2}\tBad_Bucket\n`, pair.publicKeyArmored));
      const bad = await cli(['credentials', 'decrypt', 'badline.gpg', '--key', 'keys/private-key.asc']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /line 2, field "id"/);
      const missing = await cli(['credentials', 'decrypt', 'nope.gpg', '--key', 'keys/private-key.asc']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /nope\.gpg does not exist/);
      const noKey = await cli(['credentials', 'decrypt', 'creds.gpg', '--key', 'nope.asc']);
      assert.match(noKey.stderr, /nope\.asc does not exist/);
      assert.equal((await cli(['credentials', 'decrypt'])).code, 2);
      assert.equal((await cli(['credentials', 'decrypt', 'creds.gpg', '--profile-prefix', 'bad name'])).code, 1);
    });
  });

  describe('built CLI (node dist/cli.js)', () => {
    before(async function () {
      this.timeout(120_000);
      await promisify(execFile)(process.execPath, ['esbuild.js'], { cwd: repo });
    });

    function spawnCli(args: string[], extraEnv: NodeJS.ProcessEnv): Promise<Result> {
      return new Promise((resolve, reject) => {
        const p = spawn(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd: root, env: { PATH: process.env.PATH, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', c => { stdout += c; });
        p.stderr.on('data', c => { stderr += c; });
        p.on('error', reject);
        p.on('close', code => { transcript.push(stdout, stderr); resolve({ code: code ?? -1, stdout, stderr }); });
      });
    }

    it('keygen and credentials decrypt work with exit codes 0 / 1 / 2', async () => {
      const gen = await spawnCli(['keygen', '--name', 'Spawned', '--email', 'spawn@acme.example', '--out', 'spawned'], {});
      assert.equal(gen.code, 0, gen.stderr);
      assert.equal((await stat(join(root, 'spawned', 'private-key.asc'))).mode & 0o777, 0o600);
      const pub = await readFile(join(root, 'spawned', 'public-key.asc'), 'utf8');
      await writeFile(join(root, 'spawned', 'creds.gpg'), await encryptForRecipient(CREDENTIALS, pub));
      const ok = await spawnCli(['credentials', 'decrypt', 'spawned/creds.gpg', '--key', 'spawned/private-key.asc', '--profile-prefix', 'spawned'], {});
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /spawned-prod/);
      const wrong = await spawnCli(['credentials', 'decrypt', 'spawned/creds.gpg', '--key', 'spawned/private-key.asc'], { ASAPP_EXPORTS_PASSPHRASE: 'nope nope' });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /passphrase does not unlock/);
      const noPass = await spawnCli(['credentials', 'decrypt', 'spawned/creds.gpg', '--key', 'spawned/private-key.asc'], { ASAPP_EXPORTS_PASSPHRASE: undefined });
      assert.equal(noPass.code, 2, noPass.stderr);
      assert.match(noPass.stderr, /no terminal to ask on/);
    });
  });

  describe('secrets', () => {
    it('no secret key, passphrase or private key reached stdout/stderr or any file that is not mode 0600', async () => {
      const privateKeys: string[] = [];
      const walk = async (dir: string): Promise<string[]> => (await Promise.all((await readdir(dir, { withFileTypes: true }))
        .map(d => d.isDirectory() ? walk(join(dir, d.name)) : Promise.resolve([join(dir, d.name)])))).flat();
      const files = await walk(root);
      for (const f of files.filter(f => f.endsWith('private-key.asc'))) privateKeys.push(await readFile(f, 'utf8'));
      assert.ok(privateKeys.length >= 5, 'the runs above wrote private keys');
      // The base64 body of each private key, in lines: any one of them showing up is a leak.
      const keyLines = privateKeys.flatMap(k => k.split('\n').filter(l => l.length >= 40 && !l.startsWith('-----')));
      const secrets = [SECRET1, SECRET2, PASSPHRASE, 'not the passphrase', 'BEGIN PGP PRIVATE KEY BLOCK', ...keyLines];
      const output = transcript.join('\n');
      assert.ok(output.length > 1000, 'the transcript holds the outputs');
      for (const s of secrets) assert.ok(!output.includes(s), `secret in CLI output: ${s.slice(0, 12)}…`);
      let checked = 0;
      for (const f of files) {
        const mode = (await stat(f)).mode & 0o777;
        if (mode === 0o600) continue;
        const text = await readFile(f, 'latin1');
        for (const s of secrets) assert.ok(!text.includes(s), `${f} (mode ${mode.toString(8)}) holds a secret: ${s.slice(0, 12)}…`);
        checked++;
      }
      assert.ok(checked >= 5, `checked ${checked} non-0600 files`);
      // And the 0600 files that must hold them do.
      assert.ok((await readFile(env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).includes(SECRET1));
    });
  });
});
