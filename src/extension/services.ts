// The heavy half of the extension: every core module it calls (AWS SDK, openpgp, catalog, downloads,
// previews, dedupe with DuckDB, the demo server). Bundled on its own as dist/extensionServices.js and
// required on first use by lazy.ts, so activating the extension loads none of it. Never imports vscode.
export { createS3Client } from '../core/s3';
export * as catalog from '../core/catalog';
export * as pgp from '../core/pgp';
export * as credentials from '../core/credentials';
export * as awsProfile from '../core/awsProfile';
export { planDownload } from '../core/download/plan';
export { executeDownload } from '../core/download/execute';
export * as dedupeSql from '../core/dedupe/sql';
export * as dedupeReference from '../core/dedupe/reference';
export * as dialects from '../core/dedupe/dialects';
export * as demo from '../core/demo';
export * as preview from '../core/preview';
export * as dedupeRunner from '../core/dedupe/runner';
export * as exportDocs from '../core/schema/exportDocs';
export * as schemaDiff from '../core/schema/diff';
export { readObjectText } from './readObject';
export * as ddl from '../core/ddl';
export { REFERENCE_COLUMNS } from '../core/schema/referenceColumns';
