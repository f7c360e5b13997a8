import assert from 'node:assert/strict';
import { formatCredentialsFile, parseCredentialsFile, profileNamesFor, type CredentialEntry } from '../../src/core/credentials';
import { CredentialsError } from '../../src/core/errors';

const ID1 = 'AKIAIOSFODNN7EXAMPLE';
const SECRET1 = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ID2 = 'ASIAI44QH8DHBEXAMPLE';
const SECRET2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const PREPROD = 'asapp-preprod-acme-exports-us-east-1';
const PROD = 'asapp-prod-acme-exports-us-east-1';

function fails(text: string, code: string, ...mustMatch: RegExp[]): CredentialsError {
  let caught: unknown;
  assert.throws(() => parseCredentialsFile(text), (e: unknown) => { caught = e; return true; });
  assert.ok(caught instanceof CredentialsError, String(caught));
  assert.equal(caught.code, code, caught.message);
  for (const re of mustMatch) assert.match(caught.message, re);
  for (const secret of [SECRET1, SECRET2, 'wJalrXUtnFEMI', 'EXAMPLEKEY']) {
    assert.ok(!caught.message.includes(secret), `secret leaked in: ${caught.message}`);
  }
  return caught;
}

describe('credentials file', () => {
  it('parses the guide\'s format: one tab-separated line per environment, sub-folder optional', () => {
    const entries = parseCredentialsFile(`${ID1}\t${SECRET1}\t${PREPROD}\tacme\n${ID2}\t${SECRET2}\t${PROD}\n`);
    assert.deepEqual(entries, [
      { line: 1, accessKeyId: ID1, secretAccessKey: SECRET1, bucket: PREPROD, subFolder: 'acme', env: 'preprod', company: 'acme', region: 'us-east-1' },
      { line: 2, accessKeyId: ID2, secretAccessKey: SECRET2, bucket: PROD, subFolder: '', env: 'prod', company: 'acme', region: 'us-east-1' },
    ]);
  });

  it('tolerates a BOM, CRLF, a header line, blank lines, no trailing newline and an empty trailing column', () => {
    const text = `\uFEFFid\tsecret\tbucket\tsub-folder\r\n\r\n${ID1}\t${SECRET1}\t${PREPROD}\t\r\n   \r\n${ID2}\t${SECRET2}\t${PROD}\t/acme/2024/`;
    const entries = parseCredentialsFile(text);
    assert.deepEqual(entries.map(e => [e.line, e.env, e.subFolder]), [[3, 'preprod', ''], [5, 'prod', 'acme/2024']]);
    assert.equal(entries[0].secretAccessKey, SECRET1);
    // Other header spellings.
    for (const header of ['aws_access_key_id\taws_secret_access_key\tbucket', 'Access Key ID\tSecret Access Key\tBucket\tSub-folder', 'ID\tSECRET\tBUCKET']) {
      assert.equal(parseCredentialsFile(`${header}\n${ID1}\t${SECRET1}\t${PROD}\n`).length, 1, header);
    }
  });

  it('accepts spaces when the tabs were lost, and s3:// or bucket/prefix in the bucket column', () => {
    const [a] = parseCredentialsFile(`${ID1}    ${SECRET1}   ${PROD}  acme\n`);
    assert.equal(a.subFolder, 'acme');
    const [b] = parseCredentialsFile(`${ID1}\t${SECRET1}\ts3://${PROD}/\n`);
    assert.equal(b.bucket, PROD);
    const [c] = parseCredentialsFile(`${ID1}\t${SECRET1}\t${PROD}/acme/x\n`);
    assert.deepEqual([c.bucket, c.subFolder], [PROD, 'acme/x']);
  });

  it('keeps custom bucket names (no env/company/region) and non-AWS key ids of the right shape', () => {
    const [e] = parseCredentialsFile(`0555B35654AD1656D804\t${SECRET1}\tmy-exports-bucket\n`);
    assert.equal(e.bucket, 'my-exports-bucket');
    assert.equal(e.env, undefined);
    assert.equal(e.region, undefined);
  });

  it('names line and field for every problem, never the secret', () => {
    fails(`${ID1}\t${SECRET1}\n`, 'credentials.too-few-fields', /line 1\b/, /expected tab-separated id, secret, bucket/);
    fails(`\n${ID1}\t${SECRET1}\t${PROD}\tacme\textra\n`, 'credentials.too-many-fields', /line 2\b/);
    fails(`${ID1}\t${SECRET1}\t${PROD}\nakia-lower\t${SECRET2}\t${PROD}\n`, 'credentials.id-invalid', /line 2, field "id"/, /AKIA/);
    fails(`${ID1}\tshort\t${PROD}\n`, 'credentials.secret-invalid', /line 1, field "secret"/);
    fails(`${ID1}\t${SECRET1} with space\t${PROD}\n`, 'credentials.secret-invalid', /field "secret"/);
    fails(`${ID1}\t${SECRET1}\tNot_A_Bucket\n`, 'credentials.bucket-invalid', /line 1, field "bucket"/, /Not_A_Bucket/);
    fails(`${ID1}\t${SECRET1}\t${PROD}\t../etc\n`, 'credentials.subfolder-invalid', /field "sub-folder"/);
    fails(`${ID1}\t${SECRET1}\t${PROD}\ta\\b\n`, 'credentials.subfolder-invalid', /field "sub-folder"/);
    fails(`${ID1}\t${SECRET1}\t${PROD}/x\ty\n`, 'credentials.bucket-invalid');
    fails(`${ID1}\t\t${PROD}\n`, 'credentials.secret-missing', /field "secret"/);
    // Swapped columns: the secret sits in the id column; the message must still not quote it.
    fails(`${SECRET1}\t${ID1}\t${PROD}\n`, 'credentials.swapped', /swapped/);
    fails('\n\n', 'credentials.empty');
    fails('id\tsecret\tbucket\n', 'credentials.empty');
    fails('-----BEGIN PGP MESSAGE-----\n\nhQEMA...\n-----END PGP MESSAGE-----\n', 'credentials.encrypted', /decrypt it first/);
    fails('\x85\x01\x0c\x03\x00garbage', 'credentials.binary');
  });

  it('formats what ASAPP sends, and parses it back', () => {
    const entries = [
      { accessKeyId: ID1, secretAccessKey: SECRET1, bucket: PREPROD, subFolder: 'acme' },
      { accessKeyId: ID2, secretAccessKey: SECRET2, bucket: PROD, subFolder: '' },
    ];
    const text = formatCredentialsFile(entries, { header: true });
    assert.equal(text, `id\tsecret\tbucket\tsub-folder\n${ID1}\t${SECRET1}\t${PREPROD}\tacme\n${ID2}\t${SECRET2}\t${PROD}\n`);
    assert.deepEqual(parseCredentialsFile(text).map(e => ({ accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey, bucket: e.bucket, subFolder: e.subFolder })), entries);
    assert.equal(formatCredentialsFile(entries), text.split('\n').slice(1).join('\n'));
  });

  it('derives profile names: PREFIX-ENV, PREFIX for one custom bucket, line numbers otherwise', () => {
    const entry = (line: number, env?: string): CredentialEntry => ({ line, accessKeyId: ID1, secretAccessKey: SECRET1, bucket: 'b', subFolder: '', ...(env ? { env } : {}) });
    assert.deepEqual(profileNamesFor([entry(1, 'preprod'), entry(2, 'prod')]), ['asapp-preprod', 'asapp-prod']);
    assert.deepEqual(profileNamesFor([entry(1, 'prod'), entry(2, 'prod')], 'x'), ['x-prod-1', 'x-prod-2']);
    assert.deepEqual(profileNamesFor([entry(3)], 'acme'), ['acme']);
    assert.deepEqual(profileNamesFor([entry(3), entry(4, 'prod')]), ['asapp-3', 'asapp-prod']);
  });
});
