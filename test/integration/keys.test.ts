// The key pair commands: generate (passphrase twice, ECC/RSA choice), copy and save the public key, back
// up the private key (after a warning, mode 0600), import an armored private key.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertNoPendingAnswers, connected, PASSPHRASE, run, type Fixture } from './fixture';

describe('key pair', () => {
  let f: Fixture;
  before(async () => { f = await connected(); });
  afterEach(() => assertNoPendingAnswers(f));
  after(async () => {
    // put the fixture's key back for the suites that follow (the .enc sample file is encrypted to it)
    f.prompts.answer('privateKeyImport', f.privateKeyFile).answer('passphrase', PASSPHRASE).answer('rememberPassphrase', i => i.value === true);
    await run(f.api, 'asappExports.importPrivateKey');
    assertNoPendingAnswers(f);
  });

  it('refuses two different passphrases, with a message that does not contain them', async () => {
    f.prompts.answer('replaceKey', 'Replace').answer('keyName', 'Jane Doe').answer('keyEmail', 'jane@example.com')
      .answer('newPassphrase', 'first passphrase 1').answer('confirmPassphrase', 'second passphrase 2');
    const before = f.api.env.shown.length;
    await vscode.commands.executeCommand('asappExports.generateKeyPair');
    const shown = f.api.env.shown.slice(before);
    assert.deepEqual(shown, ['Generate key pair failed: The two passphrases differ: run the command again and type the same passphrase twice.']);
    assert.equal((await f.api.env.keys.info())?.fingerprint, (await f.api.env.keys.info())?.fingerprint);
  });

  it('generates an ECC key pair after confirming the replacement of the current one', async function () {
    this.timeout(60_000);
    const old = await f.api.env.keys.info();
    f.prompts.answer('replaceKey', 'Replace').answer('keyName', 'Jane Doe').answer('keyEmail', 'jane@example.com')
      .answer('newPassphrase', 'a brand new passphrase').answer('confirmPassphrase', 'a brand new passphrase').answer('keyAlgorithm', i => i.value === 'ecc');
    const result = await run<{ fingerprint: string }>(f.api, 'asappExports.generateKeyPair');
    assert.match(result.fingerprint, /^[0-9A-F]{40}$/);
    assert.notEqual(result.fingerprint, old?.fingerprint);
    const info = await f.api.env.keys.info();
    assert.equal(info?.userId, 'Jane Doe <jane@example.com>');
    assert.match(info?.algorithm ?? '', /ed25519|ecc|curve25519/i);
    assert.match((await f.api.env.context.secrets.get('asappExports.key/private')) ?? '', /-----BEGIN PGP PRIVATE KEY BLOCK-----/);
  });

  it('copies the public key to the clipboard and saves it as a file', async () => {
    const copied = await run<string>(f.api, 'asappExports.copyPublicKey');
    assert.match(copied, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    assert.equal(await vscode.env.clipboard.readText(), copied);
    const file = path.join(f.tmp, 'public.asc');
    f.prompts.answer('publicKeyFile', file);
    assert.equal(await run(f.api, 'asappExports.savePublicKey'), file);
    assert.equal(fs.readFileSync(file, 'utf8'), copied);
  });

  it('backs up the private key only after the warning, into a file only the user can read', async () => {
    const file = path.join(f.tmp, 'backup.asc');
    f.prompts.answer('backUpWarning', undefined);
    assert.equal(await run(f.api, 'asappExports.backUpPrivateKey'), undefined);
    assert.equal(fs.existsSync(file), false);
    f.prompts.answer('backUpWarning', 'Save Backup…').answer('privateKeyFile', file);
    assert.equal(await run(f.api, 'asappExports.backUpPrivateKey'), file);
    assert.match(fs.readFileSync(file, 'utf8'), /-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('refuses to import a public key as the private key', async () => {
    const file = path.join(f.tmp, 'public.asc');
    f.prompts.answer('privateKeyImport', file);
    const before = f.api.env.shown.length;
    await vscode.commands.executeCommand('asappExports.importPrivateKey');
    assert.match(f.api.env.shown.slice(before).join('\n'), /^Import private key failed: public\.asc holds a public key/);
  });

  it('generates an RSA-4096 key pair when chosen', async function () {
    this.timeout(240_000);
    f.prompts.answer('replaceKey', 'Replace').answer('keyName', 'Rsa User').answer('keyEmail', 'rsa@example.com')
      .answer('newPassphrase', 'rsa passphrase 123').answer('confirmPassphrase', 'rsa passphrase 123').answer('keyAlgorithm', i => i.value === 'rsa');
    await run(f.api, 'asappExports.generateKeyPair');
    assert.match((await f.api.env.keys.info())?.algorithm ?? '', /RSA/i);
  });
});
