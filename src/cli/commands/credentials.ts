// credentials decrypt / import / list: turn the file ASAPP sends into AWS profiles (one per environment)
// that this tool, the AWS CLI and every SDK can use. Secrets go only to the 0600 credentials file.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { CliCommand, OptionValues } from '../command';
import type { CliContext } from '../context';
import { CredentialsError, PgpError, UsageError } from '../../core/errors';
import { decryptMessage } from '../../core/pgp';
import { parseCredentialsFile, profileNamesFor, type CredentialEntry } from '../../core/credentials';
import { awsFiles, checkProfileName, hasProfileCredentials, listToolProfiles, writeAwsProfiles, type ToolProfile } from '../../core/awsProfile';
import { DEFAULT_REGION, formatS3Uri, normalizeSubFolder } from '../../core/layout';
import { maskKeyId } from '../../core/redact';
import { PRIVATE_KEY_FILE, formatFingerprint } from './keys';
import { loadPrivateKey } from '../keyInput';

async function readInput(ctx: CliContext, file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(ctx.cwd, file)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CredentialsError(code === 'ENOENT' ? `${file} does not exist.` : `Cannot read ${file} (${code ?? 'error'}).`, { code: 'credentials.io', cause: e });
  }
}

/**
 * Masks the secrets of the plaintext from here on, even before (or when) validation fails: the second
 * column of every line, and anything shaped like an AWS secret key (mixed-case base64, 30+ chars) —
 * bucket names (lower case) and key ids (upper case) stay readable.
 */
function registerSecrets(ctx: CliContext, text: string): void {
  for (const line of text.split(/\r?\n|\r/)) {
    const fields = line.includes('\t') ? line.split('\t') : line.trim().split(/\s+/);
    const second = fields[1]?.trim() ?? '';
    // A header word ("secret", "secret_access_key") is not a secret, and masking it would garble messages.
    if (second.length >= 8 && !(second.length < 30 && /^[A-Za-z _-]+$/.test(second))) ctx.redactor.add(second);
    for (const token of fields) {
      const t = token.trim();
      if (/^[A-Za-z0-9/+=]{30,}$/.test(t) && /[a-z]/.test(t) && /[A-Z]/.test(t)) ctx.redactor.add(t);
    }
  }
}

function looksLikePlainCredentials(data: Uint8Array): boolean {
  const head = new TextDecoder().decode(data.subarray(0, 512));
  // Text with a tab on its first line, and no binary bytes (an OpenPGP packet starts with a byte >= 0x80).
  return /^\uFEFF?[^\n]*\t/.test(head) && data.subarray(0, 512).every(b => b >= 9 && b !== 0x7f);
}

interface Written { profile: string; entry: CredentialEntry; region: string; endpoint?: string }

async function storeProfiles(ctx: CliContext, values: OptionValues, entries: CredentialEntry[]): Promise<{ written: Written[]; files: { credentialsFile: string; configFile: string } }> {
  const prefix = (values['profile-prefix'] as string | undefined) ?? 'asapp';
  checkProfileName(prefix);
  const names = profileNamesFor(entries, prefix);
  // Only an explicit --endpoint is recorded: AWS_ENDPOINT_URL in the environment belongs to the session.
  const endpoint = values.endpoint as string | undefined;
  const written: Written[] = entries.map((entry, i) => ({
    profile: names[i],
    entry,
    region: (values.region as string | undefined) ?? entry.region ?? DEFAULT_REGION,
    ...(endpoint ? { endpoint } : {}),
  }));
  const files = await writeAwsProfiles(written.map(w => ({
    profile: w.profile,
    bucket: w.entry.bucket,
    subFolder: w.entry.subFolder,
    region: w.region,
    ...(w.endpoint ? { endpoint: w.endpoint } : {}),
    credentials: { accessKeyId: w.entry.accessKeyId, secretAccessKey: w.entry.secretAccessKey },
  })), ctx.env);
  return { written, files };
}

function report(ctx: CliContext, source: string, written: Written[], files: { credentialsFile: string; configFile: string }, keyFingerprint?: string): void {
  if (ctx.json) {
    ctx.printJson({
      ok: true,
      file: source,
      ...(keyFingerprint ? { keyFingerprint } : {}),
      credentialsFile: files.credentialsFile,
      configFile: files.configFile,
      profiles: written.map(w => ({
        profile: w.profile,
        line: w.entry.line,
        env: w.entry.env ?? null,
        company: w.entry.company ?? null,
        bucket: w.entry.bucket,
        subFolder: w.entry.subFolder,
        region: w.region,
        endpoint: w.endpoint ?? null,
        accessKeyId: maskKeyId(w.entry.accessKeyId),
      })),
    });
    return;
  }
  const n = written.length;
  ctx.print(`${keyFingerprint ? `Decrypted ${basename(source)} with key ${formatFingerprint(keyFingerprint)}: ` : `Read ${basename(source)}: `}${n} environment${n === 1 ? '' : 's'}.`);
  ctx.print(`Wrote AWS profile${n === 1 ? '' : 's'} to ${files.credentialsFile} (keys, mode 0600) and ${files.configFile} (bucket, sub-folder, region):`);
  const rows = [['PROFILE', 'ENV', 'BUCKET', 'SUB-FOLDER', 'REGION', 'KEY ID'],
    ...written.map(w => [w.profile, w.entry.env ?? '-', w.entry.bucket, w.entry.subFolder || '-', w.region, maskKeyId(w.entry.accessKeyId)])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
  for (const r of rows) ctx.print('  ' + r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  const first = written.find(w => w.entry.env === 'prod') ?? written[0];
  ctx.print('');
  ctx.print(`Next: asapp-exports feeds --profile ${first.profile}`);
  ctx.print(`  or:  aws s3 ls ${formatS3Uri(first.entry.bucket, first.entry.subFolder ? normalizeSubFolder(first.entry.subFolder) + '/' : '')} --profile ${first.profile}`);
  ctx.print('Tell ASAPP you decrypted the credentials file, then delete the encrypted file and any decrypted copy.');
}

const COMMON_OPTIONS = {
  'profile-prefix': { type: 'string' },
} as const;

const decrypt: CliCommand = {
  name: 'credentials decrypt',
  summary: 'Decrypt the credentials file from ASAPP into one AWS profile per environment',
  usage: 'credentials decrypt FILE [--key PRIVATE.asc] [--profile-prefix P] [--endpoint URL] [--region R] [--passphrase-file F]',
  details: [
    'FILE: the encrypted file from ASAPP (binary .gpg or armored .asc). --key: your private key (default ./private-key.asc).',
    'Writes profiles P-preprod, P-prod, … (default P: asapp) to the AWS shared credentials file (mode 0600; honours',
    'AWS_SHARED_CREDENTIALS_FILE) and their bucket, sub-folder and region to the AWS config file (AWS_CONFIG_FILE).',
    'Other profiles are left untouched; profiles of the same name are updated. The secret key is never printed.',
    '--endpoint records a custom S3 endpoint (endpoint_url) in the profiles, for S3-compatible servers.',
  ],
  options: { ...COMMON_OPTIONS, key: { type: 'string' }, 'passphrase-file': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('credentials decrypt needs exactly one FILE (the encrypted file from ASAPP).');
    const keyFile = (values.key as string | undefined) ?? PRIVATE_KEY_FILE;
    const encrypted = await readInput(ctx, file);
    const key = await loadPrivateKey(ctx, values, keyFile);
    const { data } = await decryptMessage(encrypted, key).catch((e: unknown) => {
      if (e instanceof PgpError && e.code === 'pgp.not-openpgp' && looksLikePlainCredentials(encrypted)) {
        throw new PgpError(`${file} is not encrypted: it already looks like a decrypted credentials file. Store it with \`asapp-exports credentials import ${file}\`.`, { code: 'pgp.not-openpgp', cause: e });
      }
      throw e;
    });
    const text = new TextDecoder().decode(data);
    registerSecrets(ctx, text);
    const entries = parseCredentialsFile(text);
    for (const e of entries) ctx.redactor.add(e.secretAccessKey);
    const { written, files } = await storeProfiles(ctx, values, entries);
    report(ctx, resolve(ctx.cwd, file), written, files, key.fingerprint);
  },
};

const importPlain: CliCommand = {
  name: 'credentials import',
  summary: 'Store an already-decrypted credentials file (tab-separated) as AWS profiles',
  usage: 'credentials import FILE [--profile-prefix P] [--endpoint URL] [--region R]',
  details: ['Same as `credentials decrypt` for a file you decrypted yourself (e.g. with gpg). Delete the plain file afterwards.'],
  options: { ...COMMON_OPTIONS },
  async run(ctx, { values, positionals }) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('credentials import needs exactly one FILE (the decrypted credentials file).');
    const text = new TextDecoder().decode(await readInput(ctx, file));
    registerSecrets(ctx, text);
    const entries = parseCredentialsFile(text);
    for (const e of entries) ctx.redactor.add(e.secretAccessKey);
    const { written, files } = await storeProfiles(ctx, values, entries);
    report(ctx, resolve(ctx.cwd, file), written, files);
  },
};

const list: CliCommand = {
  name: 'credentials list',
  summary: 'List the AWS profiles written by this tool (bucket, sub-folder, region; no secrets)',
  usage: 'credentials list',
  async run(ctx) {
    const profiles: Array<ToolProfile & { hasKeys: boolean }> = [];
    for (const p of await listToolProfiles(ctx.env)) profiles.push({ ...p, hasKeys: await hasProfileCredentials(p.profile, ctx.env) });
    const files = awsFiles(ctx.env);
    if (ctx.json) {
      ctx.printJson({ ok: true, ...files, profiles });
      return;
    }
    if (!profiles.length) {
      ctx.print(`No profiles written by asapp-exports in ${files.configFile}. Run \`asapp-exports credentials decrypt FILE --key private-key.asc\` first.`);
      return;
    }
    for (const p of profiles) {
      const where = formatS3Uri(p.bucket, p.subFolder ? normalizeSubFolder(p.subFolder) + '/' : '');
      ctx.print(`${p.profile}  ${where}  ${p.region}${p.endpoint ? `  ${p.endpoint}` : ''}${p.hasKeys ? '' : '  (no keys in the credentials file!)'}`);
    }
  },
};

export const commands: CliCommand[] = [decrypt, importPlain, list];
