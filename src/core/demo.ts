// The onboarding journey on embedded defaults, end to end up to browsing, with nothing leaving this
// machine: a local S3 server seeded with sample exports, a fresh key pair, a credentials file encrypted
// to it the way ASAPP does, decrypted into AWS profiles of a demo-private AWS config, then the feeds and
// one day's partitions listed through those profiles. Used by `asapp-exports demo` and the extension's
// "Open the demo bucket". The user's ~/.aws is never touched; secrets go only to files with mode 0600.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { throwIfAborted } from './errors';
import { writeFileAtomic } from './atomicFile';
import { startLocalS3, type LocalS3 } from './localS3';
import { createS3Client } from './s3';
import { generateKeyPair, unlockPrivateKey, decryptMessage, encryptForRecipient } from './pgp';
import { formatCredentialsFile, parseCredentialsFile, profileNamesFor } from './credentials';
import { readToolProfile, writeAwsProfiles } from './awsProfile';
import { listFeeds, walkPartitions, type FeedSummary, type PartitionSummary } from './catalog';
import { maskKeyId } from './redact';
import { generateSampleExports, type SampleManifest, type SampleSize } from './sample/generate';
import { s3Sink } from './sample/sinks';
import { formatS3Uri, type ExportLocation } from './layout';

export const DEMO_PROFILE_PREFIX = 'asapp-demo';
export const DEMO_ENVIRONMENTS = [
  { env: 'prod', bucket: 'asapp-prod-acme-exports-us-east-1', subFolder: '' },
  { env: 'preprod', bucket: 'asapp-preprod-acme-exports-us-east-1', subFolder: 'exports' },
] as const;
const DAY = 86_400_000;
const TOTAL_STEPS = 5;

export interface DemoOptions {
  /** Port of the local S3 server on 127.0.0.1 (default: any free port). */
  port?: number;
  /** Folder for the key pair, the encrypted credentials file and the demo's AWS files; kept afterwards.
   *  Default: a new folder under the OS temp dir, removed by stop(). */
  dir?: string;
  /** Days of sample exports in the prod bucket, ending today (default 2: yesterday and today). */
  days?: number;
  size?: SampleSize;
  /** The exports' "now" (default: the clock): the partition holding it is in progress. */
  now?: Date;
  signal?: AbortSignal;
  /** Told every secret the demo creates before it is used, so front ends can redact it from any output. */
  onSecret?: (secret: string) => void;
}

export interface DemoStep {
  index: number;
  total: number;
  title: string;
  /** Human lines, secrets never included. */
  details: string[];
}

export interface DemoEnvironment {
  env: string;
  bucket: string;
  subFolder: string;
  profile: string;
  accessKeyIdMasked: string;
  objects: number;
  bytes: number;
}

export interface DemoDay {
  feed: string;
  version: number;
  dt: string;
  partitions: PartitionSummary[];
}

export interface DemoResult {
  endpoint: string;
  port: number;
  dir: string;
  /** True when `dir` is a temp folder that stop() removes. */
  temporaryDir: boolean;
  fingerprint: string;
  environments: DemoEnvironment[];
  files: { privateKey: string; publicKey: string; passphrase: string; credentialsEncrypted: string; awsCredentials: string; awsConfig: string };
  /** The variables that point the SDK and `aws` at the demo's AWS files. */
  env: { AWS_SHARED_CREDENTIALS_FILE: string; AWS_CONFIG_FILE: string };
  /** s3:// URI of the export file ASAPP encrypted to the demo key. */
  encryptedExport?: string;
  feeds: FeedSummary[];
  day?: DemoDay;
  manifest: SampleManifest;
}

export interface DemoHandle extends DemoResult {
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}, onStep: (step: DemoStep) => void = () => {}): Promise<DemoHandle> {
  const signal = options.signal;
  const secret = (s: string) => { options.onSecret?.(s); return s; };
  const step = (index: number, title: string, details: string[]) => onStep({ index, total: TOTAL_STEPS, title, details });
  const temporaryDir = options.dir === undefined;
  const dir = temporaryDir ? await mkdtemp(join(tmpdir(), 'asapp-exports-demo-')) : resolve(options.dir as string);
  let local: LocalS3 | undefined;
  const clients: S3Client[] = [];
  const stop = async () => {
    for (const c of clients) c.destroy();
    await local?.stop();
    local = undefined;
    if (temporaryDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const now = options.now ?? new Date();
    const days = options.days ?? 2;
    const start = isoDate(now.getTime() - (days - 1) * DAY);

    // 1. The vendor's side: a local S3 server with the two buckets of one company.
    throwIfAborted(signal);
    local = await startLocalS3({ port: options.port });
    const admin = local.client();
    clients.push(admin);
    const manifests: SampleManifest[] = [];
    for (const e of DEMO_ENVIRONMENTS) {
      await local.createBucket(e.bucket);
      const prod = e.env === 'prod';
      manifests.push(await generateSampleExports(s3Sink(admin, e.bucket), {
        seed: `demo-${e.env}`, start: prod ? start : isoDate(now.getTime()), days: prod ? days : 1, now,
        size: prod ? options.size ?? 'demo' : 'tiny', subFolder: e.subFolder, signal, concurrency: 32,
      }));
    }
    const manifest = manifests[0];
    step(1, `Local S3 server on ${local.endpoint} (127.0.0.1 only), with ASAPP-style export buckets`, DEMO_ENVIRONMENTS.map((e, i) =>
      `${formatS3Uri(e.bucket, e.subFolder ? e.subFolder + '/' : '')}  ${manifests[i].objects} objects, ${formatBytes(manifests[i].bytes)} of sample exports`));

    // 2. The customer's side: a key pair; the passphrase is random and kept next to the key, both 0600.
    throwIfAborted(signal);
    const passphrase = secret(randomBytes(18).toString('base64url'));
    const pair = await generateKeyPair({ name: 'ASAPP Exports Demo', email: 'demo@asapp-exports.invalid', passphrase });
    secret(pair.privateKeyArmored);
    const files = {
      privateKey: join(dir, 'private-key.asc'),
      publicKey: join(dir, 'public-key.asc'),
      passphrase: join(dir, 'passphrase.txt'),
      credentialsEncrypted: join(dir, 'asapp-credentials.tsv.gpg'),
      awsCredentials: join(dir, 'aws', 'credentials'),
      awsConfig: join(dir, 'aws', 'config'),
    };
    await writeFileAtomic(files.passphrase, passphrase + '\n', 0o600);
    await writeFileAtomic(files.privateKey, pair.privateKeyArmored, 0o600);
    await writeFile(files.publicKey, pair.publicKeyArmored, { mode: 0o644 });
    step(2, `Key pair generated (ECC, fingerprint ${pair.fingerprint})`, [
      `private key  ${files.privateKey}  (mode 0600, protected by a random passphrase)`,
      `passphrase   ${files.passphrase}  (mode 0600)`,
      `public key   ${files.publicKey}  ← what you send to ASAPP`,
    ]);

    // 3. Playing ASAPP: one credentials line per environment, encrypted to the public key like `gpg -e`;
    //    and one export file doubly encrypted, as agreed with customers that ask for it.
    throwIfAborted(signal);
    const vendorEntries = DEMO_ENVIRONMENTS.map(e => ({
      accessKeyId: 'AKIA' + randomToken(16),
      secretAccessKey: secret(randomBytes(30).toString('base64')),
      bucket: e.bucket,
      subFolder: e.subFolder,
    }));
    const encrypted = await encryptForRecipient(formatCredentialsFile(vendorEntries, { header: true }), pair.publicKeyArmored);
    await writeFile(files.credentialsEncrypted, encrypted as Uint8Array, { mode: 0o644 });
    const encryptedExport = await encryptOneExport(admin, DEMO_ENVIRONMENTS[0].bucket, manifest, pair.publicKeyArmored);
    step(3, 'Playing ASAPP: credentials encrypted to your public key', [
      `${files.credentialsEncrypted}  (${vendorEntries.length} lines: id, secret, bucket, sub-folder; readable only with your private key)`,
      ...(encryptedExport ? [`one export file encrypted to your key too: ${encryptedExport}`] : []),
    ]);

    // 4. Back to the customer: decrypt with our code, write profiles into the demo's own AWS files.
    throwIfAborted(signal);
    const env = { AWS_SHARED_CREDENTIALS_FILE: files.awsCredentials, AWS_CONFIG_FILE: files.awsConfig };
    const key = await unlockPrivateKey(await readFile(files.privateKey, 'utf8'), (await readFile(files.passphrase, 'utf8')).trim());
    const plain = await decryptMessage(await readFile(files.credentialsEncrypted), key);
    const entries = parseCredentialsFile(new TextDecoder().decode(plain.data));
    const names = profileNamesFor(entries, DEMO_PROFILE_PREFIX);
    await writeAwsProfiles(
      entries.map((e, i) => ({
        profile: names[i], bucket: e.bucket, subFolder: e.subFolder, region: e.region ?? 'us-east-1', endpoint: local!.endpoint,
        credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
      })),
      { HOME: dir, ...env },
    );
    await chmod(files.awsConfig, 0o644);
    const environments: DemoEnvironment[] = entries.map((e, i) => ({
      env: e.env ?? `line-${e.line}`, bucket: e.bucket, subFolder: e.subFolder, profile: names[i], accessKeyIdMasked: maskKeyId(e.accessKeyId),
      objects: manifests[i].objects, bytes: manifests[i].bytes,
    }));
    step(4, 'Credentials decrypted with your private key; AWS profiles written (your ~/.aws is untouched)', [
      ...environments.map(e => `${e.profile.padEnd(20)} ${formatS3Uri(e.bucket, e.subFolder ? e.subFolder + '/' : '')}  key ${e.accessKeyIdMasked}`),
      `keys in     ${files.awsCredentials}  (mode 0600)`,
      `settings in ${files.awsConfig}  (region, bucket, sub-folder, endpoint_url)`,
    ]);

    // 5. Browse through the profile, as `asapp-exports feeds --profile …` does.
    throwIfAborted(signal);
    const prod = environments[0];
    const client = await profileClient(prod.profile, env);
    clients.push(client);
    const root = { bucket: prod.bucket, subFolder: prod.subFolder };
    const feeds = await listFeeds(client, root, { signal });
    const dayDt = (manifest.emptyPartition && manifest.partitions.find(p => p.prefix === manifest.emptyPartition)?.dt) ?? manifest.partitions.at(-1)?.dt;
    let day: DemoDay | undefined;
    if (dayDt) {
      const loc: ExportLocation = { ...root, feed: 'convos_metrics', version: 1, format: 'jsonl' };
      const partitions: PartitionSummary[] = [];
      for await (const p of walkPartitions(client, loc, { from: dayDt, to: dayDt }, { signal })) partitions.push(p);
      day = { feed: 'convos_metrics', version: 1, dt: dayDt, partitions };
    }
    step(5, `Browsing ${formatS3Uri(prod.bucket)} with profile ${prod.profile}`, [
      `${feeds.length} feeds: ${feeds.map(f => f.feed).join(', ')}`,
      ...(day ? [`${day.feed} version=${day.version} dt=${day.dt}: ${day.partitions.length} partitions`] : []),
    ]);

    return {
      endpoint: local.endpoint, port: local.port, dir, temporaryDir, fingerprint: pair.fingerprint, environments, files, env,
      ...(encryptedExport ? { encryptedExport } : {}), feeds, ...(day ? { day } : {}), manifest, stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** A client built from the demo's profile files, read by the SDK's own INI loader (not process.env). */
async function profileClient(profile: string, env: { AWS_SHARED_CREDENTIALS_FILE: string; AWS_CONFIG_FILE: string }): Promise<S3Client> {
  const tool = await readToolProfile(profile, env);
  if (!tool) throw new Error(`The demo profile ${profile} was not written.`);
  const credentials = await fromIni({ profile, filepath: env.AWS_SHARED_CREDENTIALS_FILE, configFilepath: env.AWS_CONFIG_FILE, ignoreCache: true })();
  return createS3Client({ endpoint: tool.endpoint, region: tool.region, credentials }, {});
}

/** The vendor's optional double encryption: replaces the manifest's chosen file by its `.enc`. */
async function encryptOneExport(client: S3Client, bucket: string, manifest: SampleManifest, publicKey: string): Promise<string | undefined> {
  const file = manifest.files.find(f => f.feed === 'convos_metrics' && f.version === 1 && f.state === 'complete' && f.partition.includes('/hr=02/'));
  if (!file) return undefined;
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
  const body = Buffer.from(await got.Body!.transformToByteArray());
  const enc = Buffer.from((await encryptForRecipient(body, publicKey, { filename: file.name })) as Uint8Array);
  const key = file.key + '.enc';
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: enc, ContentLength: enc.length }));
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: file.key }));
  const partition = manifest.partitions.find(p => p.prefix === file.partition)!;
  partition.files = partition.files.map(k => (k === file.key ? key : k));
  partition.bytes += enc.length - file.bytes;
  manifest.bytes += enc.length - file.bytes;
  Object.assign(file, { key, name: file.name + '.enc', encrypted: true, bytes: enc.length });
  manifest.encryptedFile = key;
  return formatS3Uri(bucket, key);
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function randomToken(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += KEY_CHARS[b % KEY_CHARS.length];
  return out;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
