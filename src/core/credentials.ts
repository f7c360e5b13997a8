// The decrypted credentials file ASAPP sends: tab-delimited `id, secret, bucket, sub-folder (if any)`, one
// line per environment (typically preprod and prod), maybe with a header line. Parsing is tolerant of
// what editors and mail clients do to such a file (CRLF, BOM, blank lines, spaces instead of tabs), and
// strict about the values. Error messages name the line and the field and never echo a field's value
// except the bucket and sub-folder (not secret): column 1 may well hold the secret if columns were swapped.
import { CredentialsError, LayoutError } from './errors';
import { normalizeSubFolder, parseBucketName } from './layout';

export interface CredentialEntry {
  /** 1-based line number in the file. */
  line: number;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** '' when the file gives none; no leading/trailing slash. */
  subFolder: string;
  /** Derived from a conventional bucket name asapp-{env}-{company}-exports-{region}. */
  env?: string;
  company?: string;
  region?: string;
}

const FIELDS = ['id', 'secret', 'bucket', 'sub-folder'] as const;
/** AWS access key ids: AKIA (long-term) / ASIA (temporary) + 16 chars; S3-compatible servers use other prefixes. */
const KEY_ID = /^[A-Z0-9]{16,128}$/;
const SECRET = /^[\x21-\x7e]{8,256}$/;
const HEADER_ID = /^(?:aws[ _-]?)?(?:access[ _-]?key[ _-]?)?id$/i;
const HEADER_SECRET = /^(?:aws[ _-]?)?(?:secret|secret[ _-]?(?:access[ _-]?)?key)$/i;

function fail(line: number, field: string | undefined, problem: string, code: string): never {
  const where = field ? `line ${line}, field "${field}"` : `line ${line}`;
  throw new CredentialsError(`Credentials file, ${where}: ${problem}`, { code });
}

/** C0 controls and DEL; tab, CR and LF are allowed in a whole file (`inFile`). */
function hasControlChars(text: string, inFile: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inFile && (c === 9 || c === 10 || c === 13)) continue;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isHeader(fields: string[]): boolean {
  return HEADER_ID.test(fields[0] ?? '') || HEADER_SECRET.test(fields[1] ?? '') || /^bucket$/i.test(fields[2] ?? '');
}

function splitLine(raw: string): string[] {
  // Tabs as specified; a file whose tabs became runs of spaces (copy-paste from a mail) still parses.
  const parts = raw.includes('\t') ? raw.split('\t') : raw.trim().split(/\s+/);
  const fields = parts.map(f => f.trim());
  while (fields.length > 3 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}

function looksLikeSecret(value: string): boolean {
  return value.length >= 30 && /[a-z]/.test(value) && /^[A-Za-z0-9/+=]+$/.test(value);
}

function parseBucketField(value: string, line: number): { bucket: string; subFromBucket: string } {
  // Accept `s3://bucket/`, `bucket/sub/folder`, as people paste them.
  const cleaned = value.replace(/^s3:\/\//i, '').replace(/\/+$/, '');
  const slash = cleaned.indexOf('/');
  const bucket = slash < 0 ? cleaned : cleaned.slice(0, slash);
  const subFromBucket = slash < 0 ? '' : cleaned.slice(slash + 1);
  if (!bucket) fail(line, 'bucket', 'is empty: the third column must be the S3 bucket name (e.g. asapp-prod-acme-exports-us-east-1).', 'credentials.bucket-missing');
  return { bucket, subFromBucket };
}

/** Parses the decrypted credentials file. Throws CredentialsError naming line and field, never the secret. */
export function parseCredentialsFile(text: string): CredentialEntry[] {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (/-----BEGIN PGP MESSAGE-----/.test(text)) {
    throw new CredentialsError('This credentials file is still encrypted: decrypt it first (asapp-exports credentials decrypt FILE --key private-key.asc).', { code: 'credentials.encrypted' });
  }
  // NUL (and other C0 controls except tab/CR/LF) means binary data, e.g. an encrypted .gpg file.
  if (hasControlChars(text, true)) {
    throw new CredentialsError('This is not a text file: if it is the encrypted file from ASAPP, decrypt it first (asapp-exports credentials decrypt FILE --key private-key.asc).', { code: 'credentials.binary' });
  }
  const lines = text.split(/\r\n|\n|\r/);
  const entries: CredentialEntry[] = [];
  let seenData = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim() || raw.trimStart().startsWith('#')) return;
    const fields = splitLine(raw);
    if (!seenData && isHeader(fields)) {
      seenData = true;
      return;
    }
    seenData = true;
    if (fields.length < 3) {
      fail(line, undefined, `has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected tab-separated id, secret, bucket and an optional sub-folder.`, 'credentials.too-few-fields');
    }
    if (fields.length > 4) {
      fail(line, undefined, `has ${fields.length} fields; expected at most 4 (id, secret, bucket, sub-folder).`, 'credentials.too-many-fields');
    }
    const [accessKeyId, secretAccessKey, bucketField, subField = ''] = fields;
    if (!accessKeyId) fail(line, FIELDS[0], 'is empty: the first column must be the access key id (AKIA…).', 'credentials.id-missing');
    if (!KEY_ID.test(accessKeyId)) {
      const swapped = looksLikeSecret(accessKeyId) && KEY_ID.test(secretAccessKey);
      fail(line, FIELDS[0], swapped
        ? 'looks like a secret key and the next column like an access key id: the columns seem swapped (expected id, then secret).'
        : `is not an access key id: expected 16–128 upper-case letters and digits, like AKIA… (got ${accessKeyId.length} characters).`,
      swapped ? 'credentials.swapped' : 'credentials.id-invalid');
    }
    if (!secretAccessKey) fail(line, FIELDS[1], 'is empty: the second column must be the secret access key.', 'credentials.secret-missing');
    if (!SECRET.test(secretAccessKey)) {
      fail(line, FIELDS[1], `is not a secret access key: expected 8–256 printable characters without spaces (got ${secretAccessKey.length} characters).`, 'credentials.secret-invalid');
    }
    const { bucket, subFromBucket } = parseBucketField(bucketField, line);
    let info;
    try {
      info = parseBucketName(bucket);
    } catch (e) {
      fail(line, FIELDS[2], e instanceof LayoutError ? e.message : String(e), 'credentials.bucket-invalid');
    }
    if (subFromBucket && subField) {
      fail(line, FIELDS[2], `"${bucketField}" already contains a path and the sub-folder column is set too: put only the bucket name in the third column.`, 'credentials.bucket-invalid');
    }
    const subRaw = subField || subFromBucket;
    if (subRaw.includes('\\') || hasControlChars(subRaw, false)) {
      fail(line, FIELDS[3], 'contains a backslash or a control character: use a plain S3 prefix such as "acme" or "exports/acme".', 'credentials.subfolder-invalid');
    }
    let subFolder: string;
    try {
      subFolder = normalizeSubFolder(subRaw);
    } catch (e) {
      fail(line, FIELDS[3], e instanceof LayoutError ? e.message : String(e), 'credentials.subfolder-invalid');
    }
    entries.push({
      line,
      accessKeyId,
      secretAccessKey,
      bucket: info.bucket,
      subFolder,
      ...(info.conventional ? { env: info.env, company: info.company, region: info.region } : {}),
    });
  });
  if (entries.length === 0) {
    throw new CredentialsError('The credentials file has no credential lines: expected one tab-separated line per environment with id, secret, bucket and an optional sub-folder.', { code: 'credentials.empty' });
  }
  return entries;
}

/** The file as ASAPP would write it (used by the demo, the sample generator and tests). */
export function formatCredentialsFile(
  entries: Array<Pick<CredentialEntry, 'accessKeyId' | 'secretAccessKey' | 'bucket' | 'subFolder'>>,
  o: { header?: boolean } = {},
): string {
  const lines = entries.map(e => [e.accessKeyId, e.secretAccessKey, e.bucket, ...(e.subFolder ? [e.subFolder] : [])].join('\t'));
  if (o.header) lines.unshift(FIELDS.join('\t'));
  return lines.join('\n') + '\n';
}

/**
 * AWS profile names for the entries: `PREFIX-ENV` for conventional buckets (`asapp-prod`), `PREFIX` for a
 * single unconventional one, `PREFIX-LINE` when nothing else tells them apart.
 */
export function profileNamesFor(entries: CredentialEntry[], prefix = 'asapp'): string[] {
  const byEnv = (e: CredentialEntry) => entries.filter(o => o.env === e.env).length;
  return entries.map(e => {
    if (e.env) return byEnv(e) === 1 ? `${prefix}-${e.env}` : `${prefix}-${e.env}-${e.line}`;
    return entries.length === 1 ? prefix : `${prefix}-${e.line}`;
  });
}
