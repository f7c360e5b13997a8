// export_docs.yaml: the daily description of every exported table (structure in CONTRACTS.md: tables with
// name, version, partitioning, primary_key, columns {name, type, description, primary, pii, example}).
// No public sample exists, so the parse is tolerant: unknown fields are kept in `extra`, optional fields
// may be missing, and a field of the wrong shape is an error that names the table and the field.
import { parse as parseYaml } from 'yaml';
import { SchemaError } from '../errors';

export interface DocColumn {
  name: string;
  /** As written by the vendor, e.g. varchar(191), timestamp, double; undefined when not given. */
  type?: string;
  description?: string;
  primary?: boolean;
  pii?: boolean;
  example?: string;
  /** Fields this reader does not know, kept as they were. */
  extra: Record<string, unknown>;
}

export interface DocTable {
  name: string;
  version?: number;
  description?: string;
  syncTime?: string;
  partitioning?: string[];
  /** primary_key, or the columns flagged primary when the list is absent. */
  primaryKey: string[];
  columns: DocColumn[];
  extra: Record<string, unknown>;
}

export interface ExportDocs {
  generatedAt?: string;
  exportDate?: string;
  tables: DocTable[];
  extra: Record<string, unknown>;
}

const TOP = new Set(['generated_at', 'export_date', 'tables']);
const TABLE = new Set(['name', 'version', 'description', 'sync_time', 'partitioning', 'primary_key', 'columns']);
const COLUMN = new Set(['name', 'type', 'description', 'primary', 'pii', 'example']);

export function parseExportDocs(text: string, source = 'export_docs.yaml'): ExportDocs {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new SchemaError(`${source} is not valid YAML (${(e as Error).message.split('\n')[0]}): download it again or check the file.`, {
      code: 'schema.bad-yaml', cause: e,
    });
  }
  if (!isObject(raw)) throw bad(source, 'the document', 'a mapping with a `tables` list');
  const tablesRaw = raw.tables ?? [];
  if (!Array.isArray(tablesRaw)) throw bad(source, '`tables`', 'a list');
  const tables = tablesRaw.map((t, i) => parseTable(t, `${source}: tables[${i}]`));
  return {
    generatedAt: optString(raw.generated_at, source, 'generated_at'),
    exportDate: optString(raw.export_date, source, 'export_date'),
    tables,
    extra: rest(raw, TOP),
  };
}

function parseTable(t: unknown, where: string): DocTable {
  if (!isObject(t)) throw bad(where, 'the table', 'a mapping');
  const name = optString(t.name, where, 'name');
  if (!name) throw bad(where, '`name`', 'the table (feed) name');
  const at = `${where} (${name})`;
  const columnsRaw = t.columns ?? [];
  if (!Array.isArray(columnsRaw)) throw bad(at, '`columns`', 'a list');
  const columns = columnsRaw.map((c, i) => parseColumn(c, `${at}: columns[${i}]`));
  const primaryKey = optStringList(t.primary_key, at, 'primary_key') ?? columns.filter(c => c.primary).map(c => c.name);
  const version = t.version === undefined || t.version === null ? undefined : Number(t.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw bad(at, '`version`', 'a positive whole number');
  return {
    name,
    version,
    description: optString(t.description, at, 'description'),
    syncTime: optString(t.sync_time, at, 'sync_time'),
    partitioning: optStringList(t.partitioning, at, 'partitioning'),
    primaryKey,
    columns,
    extra: rest(t, TABLE),
  };
}

function parseColumn(c: unknown, where: string): DocColumn {
  // A bare string is read as a column name: tolerant of hand-written docs.
  if (typeof c === 'string') return { name: c, extra: {} };
  if (!isObject(c)) throw bad(where, 'the column', 'a mapping with name and type');
  const name = optString(c.name, where, 'name');
  if (!name) throw bad(where, '`name`', 'the column name');
  return {
    name,
    type: optString(c.type, where, 'type'),
    description: optString(c.description, where, 'description'),
    primary: optBool(c.primary, where, 'primary'),
    pii: optBool(c.pii, where, 'pii'),
    example: c.example === undefined || c.example === null ? undefined : String(c.example),
    extra: rest(c, COLUMN),
  };
}

export function findDocTable(docs: ExportDocs, name: string, version?: number): DocTable | undefined {
  const matches = docs.tables.filter(t => t.name === name && (version === undefined || t.version === undefined || t.version === version));
  // Several versions of one feed: the highest unless one was asked for.
  return matches.sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rest(o: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k)));
}

function optString(v: unknown, where: string, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // YAML 1.1-style dates come back as Date objects from some writers.
  if (v instanceof Date) return v.toISOString();
  throw bad(where, `\`${field}\``, 'text');
}

function optBool(v: unknown, where: string, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'yes' || v === 'Y') return true;
  if (v === 'false' || v === 'no' || v === 'N') return false;
  throw bad(where, `\`${field}\``, 'true or false');
}

function optStringList(v: unknown, where: string, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.split(',').map(s => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every(x => typeof x === 'string')) return v as string[];
  throw bad(where, `\`${field}\``, 'a list of column names');
}

function bad(where: string, what: string, expected: string): SchemaError {
  return new SchemaError(`${where}: ${what} should be ${expected}. The file does not follow the export_docs.yaml structure; check it or report it to ASAPP.`, {
    code: 'schema.bad-structure',
  });
}
