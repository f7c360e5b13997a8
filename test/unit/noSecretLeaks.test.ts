// The rule, checked end to end: no secret (secret access key, passphrase, private key) appears in
// stdout, stderr, or any file whose mode is not 0600 — on success and on error paths. Runs the demo, keygen,
// credentials decrypt, and failures (wrong passphrase, wrong key, malformed credentials line, access
// denied from an S3 error stub), then scans every output and every file under the temp folders.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main';
import { encryptForRecipient } from '../../src/core/pgp';
import { formatCredentialsFile } from '../../src/core/credentials';
import { startAuthStub, STUB } from '../support/authStub';

const ROOT = resolve(__dirname, '..', '..');

interface Run { args: string[]; code: number | null; stdout: string; stderr: string }

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Base64 lines of an armored key body: any one of them in an output would be a leak. */
function armorLines(armored: string): string[] {
  return armored.split('\n').map(l => l.trim()).filter(l => /^[A-Za-z0-9+/=]{40,}$/.test(l));
}

describe('no secret leaks (stdout, stderr, files not 0600)', function () {
  this.timeout(180_000);
  let root: string;
  let env: NodeJS.ProcessEnv;
  const runs: Run[] = [];
  const secrets = new Map<string, string>();
  const passphrase = `pp-${randomBytes(12).toString('hex')}`;
  const vendor = [
    { accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64'), bucket: 'asapp-prod-acme-exports-us-east-1', subFolder: '' },
    { accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64'), bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: 'team' },
  ];

  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      stdout: { write: s => { stdout += s; return true; } },
      stderr: { write: s => { stderr += s; return true; } },
      env: { ...env, ...extraEnv },
      cwd: root,
    });
    const run = { args, code, stdout, stderr };
    runs.push(run);
    return run;
  }

  function spawnCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: root, env: { ...env, ...extraEnv } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => { stdout += d; });
      child.stderr.on('data', d => { stderr += d; });
      child.on('error', fail);
      child.on('close', code => { const r = { args, code, stdout, stderr }; runs.push(r); done(r); });
    });
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'leaks-'));
    await mkdir(join(root, 'home'), { recursive: true });
    env = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'aws', 'credentials'),
      AWS_CONFIG_FILE: join(root, 'aws', 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    secrets.set('passphrase', passphrase);
    vendor.forEach((v, i) => secrets.set(`secret key ${i + 1}`, v.secretAccessKey));
    await writeFile(join(root, 'pass.txt'), passphrase + '\n', { mode: 0o600 });
    await writeFile(join(root, 'wrong-pass.txt'), 'not-the-passphrase\n', { mode: 0o600 });
    execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('demo --once (verbose, and --json) succeeds', async () => {
    const r = await cli(['demo', '--once', '--verbose', '--dir', join(root, 'demo')]);
    assert.equal(r.code, 0, r.stderr);
    const j = await cli(['demo', '--once', '--json', '--dir', join(root, 'demo2')]);
    assert.equal(j.code, 0, j.stderr);
    // The demo's own secrets, read from its 0600 files.
    for (const d of ['demo', 'demo2']) {
      secrets.set(`${d} passphrase`, (await readFile(join(root, d, 'passphrase.txt'), 'utf8')).trim());
      const creds = await readFile(join(root, d, 'aws', 'credentials'), 'utf8');
      for (const m of creds.matchAll(/aws_secret_access_key = (\S+)/g)) secrets.set(`${d} secret ${m.index}`, m[1]);
      armorLines(await readFile(join(root, d, 'private-key.asc'), 'utf8')).forEach((l, i) => secrets.set(`${d} private key line ${i}`, l));
    }
    assert.ok([...secrets.keys()].filter(k => k.startsWith('demo secret')).length === 2);
  });

  it('keygen, the vendor encrypting the credentials, and credentials decrypt succeed', async () => {
    const k = await cli(['keygen', '--name', 'Leak Test', '--email', 'leak@example.com', '--out', join(root, 'keys'), '--passphrase-file', join(root, 'pass.txt')]);
    assert.equal(k.code, 0, k.stderr);
    const k2 = await cli(['keygen', '--name', 'Other Key', '--email', 'other@example.com', '--out', join(root, 'keys2'), '--json'], { ASAPP_EXPORTS_PASSPHRASE: passphrase });
    assert.equal(k2.code, 0, k2.stderr);
    for (const d of ['keys', 'keys2']) {
      armorLines(await readFile(join(root, d, 'private-key.asc'), 'utf8')).forEach((l, i) => secrets.set(`${d} private key line ${i}`, l));
    }
    const publicKey = await readFile(join(root, 'keys', 'public-key.asc'), 'utf8');
    await writeFile(join(root, 'creds.gpg'), (await encryptForRecipient(formatCredentialsFile(vendor, { header: true }), publicKey)) as Uint8Array);
    const bad = `${vendor[0].secretAccessKey}\t${vendor[0].accessKeyId}\tnot a bucket!\n`;
    await writeFile(join(root, 'malformed.gpg'), (await encryptForRecipient(bad, publicKey)) as Uint8Array);
    const d = await cli(['credentials', 'decrypt', join(root, 'creds.gpg'), '--key', join(root, 'keys', 'private-key.asc'), '--passphrase-file', join(root, 'pass.txt'), '--profile-prefix', 'leak', '--verbose']);
    assert.equal(d.code, 0, d.stderr);
    const dj = await cli(['credentials', 'decrypt', join(root, 'creds.gpg'), '--key', join(root, 'keys', 'private-key.asc'), '--profile-prefix', 'leakj', '--json'], { ASAPP_EXPORTS_PASSPHRASE: passphrase });
    assert.equal(dj.code, 0, dj.stderr);
    assert.match(await readFile(env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8'), new RegExp(`aws_secret_access_key = ${vendor[0].secretAccessKey.replace(/[+/]/g, '\\$&')}`));
  });

  it('fails on a wrong passphrase, a wrong key and a malformed credentials line, saying why', async () => {
    const common = ['--profile-prefix', 'x', '--verbose'];
    const wrongPass = await cli(['credentials', 'decrypt', join(root, 'creds.gpg'), '--key', join(root, 'keys', 'private-key.asc'), '--passphrase-file', join(root, 'wrong-pass.txt'), ...common]);
    assert.equal(wrongPass.code, 1);
    assert.match(wrongPass.stderr, /passphrase/i);
    const wrongKey = await cli(['credentials', 'decrypt', join(root, 'creds.gpg'), '--key', join(root, 'keys2', 'private-key.asc'), '--passphrase-file', join(root, 'pass.txt'), ...common, '--json']);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /key/i);
    const malformed = await cli(['credentials', 'decrypt', join(root, 'malformed.gpg'), '--key', join(root, 'keys', 'private-key.asc'), '--passphrase-file', join(root, 'pass.txt'), ...common]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /line 1/);
    const keyAsPassphrase = await cli(['credentials', 'decrypt', join(root, 'creds.gpg'), '--key', join(root, 'keys', 'private-key.asc'), ...common], { ASAPP_EXPORTS_PASSPHRASE: vendor[1].secretAccessKey });
    assert.equal(keyAsPassphrase.code, 1);
  });

  it('fails on access denied (S3 error stub) with the real keys of the profile, through the built CLI', async () => {
    const stub = await startAuthStub(STUB.accessDenied);
    try {
      const r = await spawnCli(['feeds', '--endpoint', stub.endpoint, '--profile', 'leak-prod', '--verbose']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /denied/i);
      assert.ok(stub.requests.length > 0, 'the CLI reached the stub');
      // The request was signed with the profile's key id: the secret was used, and still not shown.
      assert.ok(stub.requests.some(q => String(q.headers.authorization ?? '').includes(vendor[0].accessKeyId)));
      const j = await spawnCli(['ls', 's3://asapp-prod-acme-exports-us-east-1/', '--endpoint', stub.endpoint, '--profile', 'leak-prod', '--json']);
      assert.equal(j.code, 1);
    } finally {
      await stub.stop();
    }
  });

  it('no output of any run contains a secret', () => {
    assert.ok(runs.length >= 11, `${runs.length} runs`);
    assert.ok(secrets.size >= 10);
    for (const r of runs) {
      for (const [name, value] of secrets) {
        assert.ok(!r.stdout.includes(value), `stdout of \`${r.args.join(' ')}\` contains the ${name}`);
        assert.ok(!r.stderr.includes(value), `stderr of \`${r.args.join(' ')}\` contains the ${name}`);
      }
      assert.doesNotMatch(r.stdout + r.stderr, /BEGIN PGP PRIVATE KEY BLOCK/);
    }
  });

  it('no file other than a 0600 one contains a secret, and files holding secrets are 0600', async () => {
    const files = await walk(root);
    assert.ok(files.length >= 15, `${files.length} files`);
    let secretFiles = 0;
    for (const f of files) {
      const mode = (await lstat(f)).mode & 0o777;
      const text = (await readFile(f)).toString('latin1');
      const found = [...secrets].filter(([, v]) => text.includes(v)).map(([k]) => k);
      const privateBlock = text.includes('BEGIN PGP PRIVATE KEY BLOCK');
      if (found.length || privateBlock) {
        secretFiles++;
        assert.equal(mode, 0o600, `${f} (mode ${mode.toString(8)}) holds ${found.join(', ') || 'a private key'}`);
      }
    }
    // our passphrase file + 2 demos × (passphrase, private key, AWS credentials) + 2 keygen private keys + our AWS credentials
    assert.equal(secretFiles, 10, `${secretFiles} files hold secrets`);
  });

  it('the checks themselves catch a leak', async () => {
    // A world-readable file with a secret must be found by the same scan (guards the test against passing vacuously).
    const leak = join(root, 'leak-probe.txt');
    await writeFile(leak, `oops ${passphrase}`);
    await chmod(leak, 0o644);
    const text = await readFile(leak, 'latin1');
    assert.ok([...secrets.values()].some(v => text.includes(v)));
    await rm(leak);
  });
});
