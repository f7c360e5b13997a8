// AWS shared credentials/config files as the CLI's secret store, so that `aws` and every SDK can use the
// same profiles. Edits are surgical: only the sections of the profiles we write change (their other keys
// stay), every other line — other profiles, comments, blank lines — is kept byte for byte. Writes are
// atomic (temp file in the same folder + rename) and the credentials file is created with mode 0600
// before any secret is written to it.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from './errors';
import { writeFileAtomic } from './atomicFile';
import { DEFAULT_REGION } from './layout';

export interface ToolProfile {
  profile: string;
  bucket: string;
  subFolder: string;
  region: string;
  endpoint?: string;
}

export const BUCKET_KEY = 'asapp_exports_bucket';
export const SUB_FOLDER_KEY = 'asapp_exports_sub_folder';

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+@-]{0,127}$/;

function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME || homedir(), path.slice(1)) : path;
}

/** Where the SDK and `aws` look: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/{credentials,config}. */
export function awsFiles(env: NodeJS.ProcessEnv = process.env): { credentialsFile: string; configFile: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'), env),
    configFile: expandHome(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), env),
  };
}

export function checkProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new CredentialsError(
      `"${name}" cannot be an AWS profile name: use letters, digits, "-", "_", "." (e.g. asapp-prod).`,
      { code: 'credentials.bad-profile-name' },
    );
  }
}

// ------------------------------------------------------------------------------------ INI editing

interface Section {
  /** Profile name, or undefined for lines before the first section header. */
  name?: string;
  /** The header line and every line up to the next header, as written. */
  lines: string[];
}

const HEADER = /^\s*\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/;
const KEY_LINE = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;

/** Section name → profile name: `[profile x]` (config) and `[x]` (credentials, and `[default]` in config). */
function profileOf(header: string, kind: 'credentials' | 'config'): string | undefined {
  if (kind === 'credentials') return header;
  const m = /^profile\s+(.+)$/.exec(header);
  if (m) return m[1].trim();
  return header === 'default' ? 'default' : undefined;
}

function splitSections(text: string, kind: 'credentials' | 'config'): Section[] {
  const sections: Section[] = [{ lines: [] }];
  for (const line of text.split(/\r?\n/)) {
    const m = HEADER.exec(line);
    if (m) sections.push({ name: profileOf(m[1], kind) ?? `\0${m[1]}`, lines: [line] });
    else sections[sections.length - 1].lines.push(line);
  }
  return sections;
}

/** Key/value pairs of a section (continuation lines of nested values are skipped). */
function valuesOf(section: Section): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of section.lines.slice(1)) {
    if (/^\s/.test(line)) continue;
    const m = KEY_LINE.exec(line);
    if (m) values.set(m[1].toLowerCase(), m[2].trim());
  }
  return values;
}

/** Removes `keys` (and their indented continuation lines) from a section. */
function removeKeys(section: Section, keys: Set<string>): void {
  const kept = [section.lines[0]];
  let dropping = false;
  for (const line of section.lines.slice(1)) {
    if (dropping && /^\s+\S/.test(line)) continue;
    const m = KEY_LINE.exec(line);
    dropping = Boolean(m && keys.has(m[1].toLowerCase()));
    if (!dropping) kept.push(line);
  }
  section.lines = kept;
}

/** Sets `values` (undefined = remove) in the profile's section(s); appends a new section when absent. */
function upsertProfile(sections: Section[], kind: 'credentials' | 'config', profile: string, values: Array<[string, string | undefined]>): void {
  const matching = sections.filter(s => s.name === profile);
  for (const s of matching) removeKeys(s, new Set(values.map(([k]) => k)));
  const assignments = values.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${v}`);
  let target = matching[0];
  if (!target) {
    const header = kind === 'config' && profile !== 'default' ? `[profile ${profile}]` : `[${profile}]`;
    const last = sections[sections.length - 1];
    // Keep one blank line between the previous content and the new section.
    while (last.lines.length && last.lines[last.lines.length - 1] === '') last.lines.pop();
    if (sections.some(s => s.lines.length)) last.lines.push('');
    target = { name: profile, lines: [header] };
    sections.push(target);
  }
  // Insert after the section's last setting: blank lines and comments that lead into the next section stay there.
  let at = target.lines.length;
  while (at > 1 && /^\s*(?:[#;].*)?$/.test(target.lines[at - 1])) at--;
  target.lines.splice(at, 0, ...assignments);
}

function joinSections(sections: Section[], eol: string): string {
  const text = sections.flatMap(s => s.lines).join(eol);
  return text.endsWith(eol) ? text : text + eol;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}): check its permissions.`, { code: 'credentials.io', cause: e });
  }
}

/** Replaces `file` atomically with `mode` from the first byte (see atomicFile.ts). */
async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  try {
    await writeFileAtomic(file, content, mode);
  } catch (e) {
    throw new CredentialsError(`Cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}): check that its folder is writable.`, { code: 'credentials.io', cause: e });
  }
}

async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------- API

/**
 * Writes each profile: keys into the shared credentials file (mode 0600), region + the tool's bucket,
 * sub-folder and optional endpoint_url into the config file. An existing profile of the same name gets
 * these keys replaced (its session token removed, since it belonged to other keys); everything else stays.
 */
export async function writeAwsProfiles(
  profiles: Array<ToolProfile & { credentials: { accessKeyId: string; secretAccessKey: string } }>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ credentialsFile: string; configFile: string }> {
  const files = awsFiles(env);
  for (const p of profiles) checkProfileName(p.profile);
  const names = profiles.map(p => p.profile);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new CredentialsError(`Two credentials would be written to the same profile "${dup}": give each a distinct profile name.`, { code: 'credentials.duplicate-profile' });

  const credText = (await readIfExists(files.credentialsFile)) ?? '';
  const configText = (await readIfExists(files.configFile)) ?? '';
  const credEol = credText.includes('\r\n') ? '\r\n' : '\n';
  const configEol = configText.includes('\r\n') ? '\r\n' : '\n';
  const credSections = splitSections(credText.replace(/(\r?\n)+$/, ''), 'credentials');
  const configSections = splitSections(configText.replace(/(\r?\n)+$/, ''), 'config');
  if (!credText) credSections[0].lines = [];
  if (!configText) configSections[0].lines = [];

  for (const p of profiles) {
    upsertProfile(credSections, 'credentials', p.profile, [
      ['aws_access_key_id', p.credentials.accessKeyId],
      ['aws_secret_access_key', p.credentials.secretAccessKey],
      ['aws_session_token', undefined],
      ['aws_security_token', undefined],
    ]);
    upsertProfile(configSections, 'config', p.profile, [
      ['region', p.region || DEFAULT_REGION],
      [BUCKET_KEY, p.bucket],
      [SUB_FOLDER_KEY, p.subFolder || undefined],
      ['endpoint_url', p.endpoint || undefined],
    ]);
  }
  await writeAtomic(files.credentialsFile, joinSections(credSections, credEol), 0o600);
  await writeAtomic(files.configFile, joinSections(configSections, configEol), (await modeOf(files.configFile)) ?? 0o600);
  return files;
}

function toolProfileOf(section: Section): ToolProfile | undefined {
  const values = valuesOf(section);
  const bucket = values.get(BUCKET_KEY);
  if (!bucket || !section.name) return undefined;
  const endpoint = values.get('endpoint_url');
  return {
    profile: section.name,
    bucket,
    subFolder: values.get(SUB_FOLDER_KEY) ?? '',
    region: values.get('region') || DEFAULT_REGION,
    ...(endpoint ? { endpoint } : {}),
  };
}

/** The tool's settings of one profile (undefined when the profile was not written by this tool). */
export async function readToolProfile(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<ToolProfile | undefined> {
  const text = await readIfExists(awsFiles(env).configFile);
  if (!text) return undefined;
  let found: ToolProfile | undefined;
  for (const s of splitSections(text, 'config')) {
    if (s.name !== profile) continue;
    // Later duplicate sections override earlier ones, as in the SDK.
    found = toolProfileOf(s) ?? found;
  }
  return found;
}

/** Every profile written by this tool, by name. */
export async function listToolProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ToolProfile[]> {
  const text = await readIfExists(awsFiles(env).configFile);
  if (!text) return [];
  const byName = new Map<string, ToolProfile>();
  for (const s of splitSections(text, 'config')) {
    const p = toolProfileOf(s);
    if (p) byName.set(p.profile, p);
  }
  return [...byName.values()].sort((a, b) => a.profile.localeCompare(b.profile));
}

/** True when the shared credentials file has keys for `profile` (the values are not returned). */
export async function hasProfileCredentials(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const text = await readIfExists(awsFiles(env).credentialsFile);
  if (!text) return false;
  return splitSections(text, 'credentials').some(s => s.name === profile && valuesOf(s).has('aws_access_key_id'));
}

/**
 * S3 connection options for a profile written by this tool. The AWS SDK does not apply a profile's
 * `endpoint_url` by itself when given only `profile` (checked with the pinned SDK), so front ends pass
 * the recorded endpoint and region explicitly: `createS3Client({ ...await profileConnection(p), ...overrides })`.
 */
export async function profileConnection(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<{ profile: string; region?: string; endpoint?: string }> {
  const p = await readToolProfile(profile, env);
  return { profile, ...(p?.region ? { region: p.region } : {}), ...(p?.endpoint ? { endpoint: p.endpoint } : {}) };
}
