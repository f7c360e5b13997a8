import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { awsFiles, hasProfileCredentials, listToolProfiles, readToolProfile, writeAwsProfiles } from '../../src/core/awsProfile';
import { CredentialsError } from '../../src/core/errors';
import { createS3Client } from '../../src/core/s3';
import { startLocalS3, type LocalS3 } from '../../src/core/localS3';

const run = promisify(execFile);

const PROD = {
  profile: 'asapp-prod', bucket: 'asapp-prod-acme-exports-us-east-1', subFolder: 'acme', region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
};
const PREPROD = {
  profile: 'asapp-preprod', bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: '', region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
};

describe('AWS profiles', function () {
  this.timeout(30_000);
  let root: string;
  let n = 0;
  /** A fresh HOME + file paths per test (the SDK caches files by path). */
  async function freshEnv(o: { viaVariables?: boolean } = {}): Promise<NodeJS.ProcessEnv & { HOME: string }> {
    const home = join(root, `home${++n}`);
    await mkdir(home, { recursive: true });
    return o.viaVariables === false
      ? { HOME: home }
      : { HOME: home, AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws', 'credentials'), AWS_CONFIG_FILE: join(home, 'aws', 'config') };
  }

  before(async () => { root = await mkdtemp(join(tmpdir(), 'aws-profile-')); });
  after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

  it('finds the files in ~/.aws or where AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE say (~ expanded)', () => {
    assert.deepEqual(awsFiles({ HOME: '/h' }), { credentialsFile: '/h/.aws/credentials', configFile: '/h/.aws/config' });
    assert.deepEqual(awsFiles({ HOME: '/h', AWS_SHARED_CREDENTIALS_FILE: '/x/c', AWS_CONFIG_FILE: '~/cfg' }), { credentialsFile: '/x/c', configFile: '/h/cfg' });
  });

  it('creates both files (credentials 0600, even with a permissive umask) and reads the profiles back', async () => {
    const env = await freshEnv({ viaVariables: false });
    const old = process.umask(0);
    try {
      await writeAwsProfiles([PROD, { ...PREPROD, endpoint: 'http://127.0.0.1:9000' }], env);
    } finally {
      process.umask(old);
    }
    const { credentialsFile, configFile } = awsFiles(env);
    assert.equal((await stat(credentialsFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(env.HOME, '.aws'))).mode & 0o777, 0o700);
    assert.equal(await readFile(credentialsFile, 'utf8'), [
      '[asapp-prod]', `aws_access_key_id = ${PROD.credentials.accessKeyId}`, `aws_secret_access_key = ${PROD.credentials.secretAccessKey}`, '',
      '[asapp-preprod]', `aws_access_key_id = ${PREPROD.credentials.accessKeyId}`, `aws_secret_access_key = ${PREPROD.credentials.secretAccessKey}`, '',
    ].join('\n'));
    const config = await readFile(configFile, 'utf8');
    assert.ok(!config.includes(PROD.credentials.secretAccessKey));
    assert.match(config, /\[profile asapp-prod\]\nregion = us-east-1\nasapp_exports_bucket = asapp-prod-acme-exports-us-east-1\nasapp_exports_sub_folder = acme\n/);
    assert.deepEqual(await readToolProfile('asapp-prod', env), { profile: 'asapp-prod', bucket: PROD.bucket, subFolder: 'acme', region: 'us-east-1' });
    assert.deepEqual(await readToolProfile('asapp-preprod', env), { profile: 'asapp-preprod', bucket: PREPROD.bucket, subFolder: '', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' });
    assert.equal(await readToolProfile('nope', env), undefined);
    assert.deepEqual((await listToolProfiles(env)).map(p => p.profile), ['asapp-preprod', 'asapp-prod']);
    assert.equal(await hasProfileCredentials('asapp-prod', env), true);
    assert.equal(await hasProfileCredentials('nope', env), false);
    assert.deepEqual((await readdir(join(env.HOME, '.aws'))).sort(), ['config', 'credentials'], 'no temp files left');
  });

  it('leaves other profiles and comments byte for byte, updates its own profile in place, tightens the mode', async () => {
    const env = await freshEnv();
    const { credentialsFile, configFile } = awsFiles(env);
    await mkdir(join(env.HOME, 'aws'));
    const credsBefore = '# team keys\n[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = defaultsecret\n\n'
      + '[asapp-prod]\naws_access_key_id = AKIAOLD0000000000000\naws_secret_access_key = oldsecret\naws_session_token = oldtoken\nmfa_serial = keep-me\n\n'
      + '; trailing comment\n[other]\naws_access_key_id = AKIAOTHER00000000000\n';
    const configBefore = '[default]\nregion = eu-west-1\n\n[profile asapp-prod]\nregion = eu-west-1\nendpoint_url = http://old\noutput = json\n\n'
      + '[profile other]\nregion = us-west-2\ns3 =\n  addressing_style = path\n\n[sso-session corp]\nsso_region = us-east-1\n';
    await writeFile(credentialsFile, credsBefore, { mode: 0o644 });
    await writeFile(configFile, configBefore, { mode: 0o644 });
    await writeAwsProfiles([PROD], env);
    const creds = await readFile(credentialsFile, 'utf8');
    assert.equal((await stat(credentialsFile)).mode & 0o777, 0o600);
    assert.equal((await stat(configFile)).mode & 0o777, 0o644, 'the config file keeps its mode');
    assert.ok(creds.startsWith('# team keys\n[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = defaultsecret\n\n[asapp-prod]\n'));
    assert.ok(creds.endsWith('\n; trailing comment\n[other]\naws_access_key_id = AKIAOTHER00000000000\n'));
    assert.match(creds, /\[asapp-prod\]\nmfa_serial = keep-me\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY\n/);
    assert.ok(!creds.includes('oldtoken') && !creds.includes('oldsecret'));
    const config = await readFile(configFile, 'utf8');
    assert.match(config, /\[profile asapp-prod\]\noutput = json\nregion = us-east-1\nasapp_exports_bucket = asapp-prod-acme-exports-us-east-1\nasapp_exports_sub_folder = acme\n\n\[profile other\]/);
    assert.ok(!config.includes('http://old'), 'a stale endpoint of our profile is removed');
    assert.ok(config.startsWith('[default]\nregion = eu-west-1\n\n'));
    assert.ok(config.endsWith('[profile other]\nregion = us-west-2\ns3 =\n  addressing_style = path\n\n[sso-session corp]\nsso_region = us-east-1\n'));
    // Writing the same profile again changes nothing (idempotent).
    await writeAwsProfiles([PROD], env);
    assert.equal(await readFile(credentialsFile, 'utf8'), creds);
    assert.equal(await readFile(configFile, 'utf8'), config);
  });

  it('keeps CRLF line endings and a symlinked credentials file', async () => {
    const env = await freshEnv();
    const { credentialsFile, configFile } = awsFiles(env);
    await mkdir(join(env.HOME, 'aws'));
    const real = join(env.HOME, 'dotfiles-credentials');
    await writeFile(real, '[default]\r\naws_access_key_id = AKIADEFAULT000000000\r\n', { mode: 0o600 });
    await symlink(real, credentialsFile);
    await writeAwsProfiles([PREPROD], env);
    assert.ok((await lstat(credentialsFile)).isSymbolicLink());
    assert.equal(await readFile(real, 'utf8'), `[default]\r\naws_access_key_id = AKIADEFAULT000000000\r\n\r\n[asapp-preprod]\r\naws_access_key_id = ${PREPROD.credentials.accessKeyId}\r\naws_secret_access_key = ${PREPROD.credentials.secretAccessKey}\r\n`);
    assert.ok(existsSync(configFile));
  });

  it('rejects bad or duplicate profile names before touching any file', async () => {
    const env = await freshEnv();
    await assert.rejects(writeAwsProfiles([{ ...PROD, profile: 'bad name]' }], env), (e: unknown) => e instanceof CredentialsError && e.code === 'credentials.bad-profile-name');
    await assert.rejects(writeAwsProfiles([PROD, PROD], env), (e: unknown) => e instanceof CredentialsError && e.code === 'credentials.duplicate-profile');
    assert.equal(existsSync(awsFiles(env).credentialsFile), false);
  });

  describe('read by real clients', () => {
    let s3: LocalS3;
    before(async () => { s3 = await startLocalS3(); });
    after(async () => { await s3?.stop(); });

    it('the AWS SDK resolves the profile\'s keys and region, and talks to S3 with them', async () => {
      const env = await freshEnv();
      await writeAwsProfiles([PROD, { ...PREPROD, credentials: s3.credentials }], env);
      // The SDK's profile loader reads the file locations from process.env.
      const saved = { c: process.env.AWS_SHARED_CREDENTIALS_FILE, f: process.env.AWS_CONFIG_FILE };
      process.env.AWS_SHARED_CREDENTIALS_FILE = env.AWS_SHARED_CREDENTIALS_FILE;
      process.env.AWS_CONFIG_FILE = env.AWS_CONFIG_FILE;
      try {
        const prod = createS3Client({ profile: 'asapp-prod' }, env);
        const creds = await prod.config.credentials();
        assert.equal(creds.accessKeyId, PROD.credentials.accessKeyId);
        assert.equal(creds.secretAccessKey, PROD.credentials.secretAccessKey);
        assert.equal(await prod.config.region(), 'us-east-1');
        prod.destroy();
        const client = createS3Client({ profile: 'asapp-preprod', endpoint: s3.endpoint }, env);
        assert.equal((await client.config.credentials()).accessKeyId, s3.credentials.accessKeyId);
        await s3.createBucket(PREPROD.bucket);
        await client.send(new PutObjectCommand({ Bucket: PREPROD.bucket, Key: 'convos_metrics/version=1/_probe', Body: 'x' }));
        const listed = await client.send(new ListObjectsV2Command({ Bucket: PREPROD.bucket }));
        assert.deepEqual(listed.Contents?.map(o => o.Key), ['convos_metrics/version=1/_probe']);
        client.destroy();
      } finally {
        for (const [k, v] of [['AWS_SHARED_CREDENTIALS_FILE', saved.c], ['AWS_CONFIG_FILE', saved.f]] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    // The Debian awscli is not one of the tools the test command installs; where it is missing this check is
    // not registered at all (rather than counted as a skipped pass). The SDK test above covers the contract.
    const awsCli = existsSync('/usr/bin/aws') ? it : undefined;
    awsCli?.('the AWS CLI (/usr/bin/aws) sees the profile: keys from the credentials file, region and our keys from config', async () => {
      const env = await freshEnv();
      await writeAwsProfiles([PROD], env);
      const awsEnv = { PATH: process.env.PATH, HOME: env.HOME, AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE: env.AWS_CONFIG_FILE };
      const { stdout } = await run('/usr/bin/aws', ['configure', 'list', '--profile', 'asapp-prod'], { env: awsEnv });
      assert.match(stdout, /access_key\s+\*+MPLE\s+shared-credentials-file/);
      assert.match(stdout, /secret_key\s+\*+EKEY\s+shared-credentials-file/);
      assert.match(stdout, /region\s+us-east-1\s+config-file/);
      const bucket = await run('/usr/bin/aws', ['configure', 'get', 'asapp_exports_bucket', '--profile', 'asapp-prod'], { env: awsEnv });
      assert.equal(bucket.stdout.trim(), PROD.bucket);
    });
  });
});
