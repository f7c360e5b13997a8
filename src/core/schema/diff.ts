// What changed between two export_docs.yaml files (e.g. yesterday's and today's): tables, versions,
// columns, types and primary keys. Tables are matched by (name, version); a new version of a known feed
// is reported as such, with its columns compared against the latest earlier version.
import type { DocTable, ExportDocs } from './exportDocs';

export type SchemaChange =
  | { kind: 'table-added'; table: string; version?: number }
  | { kind: 'table-removed'; table: string; version?: number }
  | { kind: 'version-added'; table: string; version?: number; previous: number[] }
  | { kind: 'version-removed'; table: string; version?: number; remaining: number[] }
  | { kind: 'column-added'; table: string; version?: number; column: string; type?: string; comparedTo?: number }
  | { kind: 'column-removed'; table: string; version?: number; column: string; type?: string; comparedTo?: number }
  | { kind: 'column-retyped'; table: string; version?: number; column: string; from?: string; to?: string; comparedTo?: number }
  | { kind: 'primary-key-changed'; table: string; version?: number; from: string[]; to: string[]; comparedTo?: number };

/** Changes that can break a pipeline reading the old schema. */
export function isBreaking(c: SchemaChange): boolean {
  return c.kind === 'table-removed' || c.kind === 'version-removed' || c.kind === 'column-removed' || c.kind === 'column-retyped' || c.kind === 'primary-key-changed' || c.kind === 'version-added';
}

const key = (t: DocTable) => `${t.name}\u0000${t.version ?? ''}`;
const sameType = (a?: string, b?: string) => (a ?? '').trim().toLowerCase().replace(/\s+/g, '') === (b ?? '').trim().toLowerCase().replace(/\s+/g, '');

export function diffExportDocs(oldDocs: ExportDocs, newDocs: ExportDocs): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const oldByKey = new Map(oldDocs.tables.map(t => [key(t), t]));
  const newByKey = new Map(newDocs.tables.map(t => [key(t), t]));
  const versions = (docs: ExportDocs, name: string) =>
    docs.tables.filter(t => t.name === name).map(t => t.version ?? 0).sort((a, b) => a - b);

  for (const t of newDocs.tables) {
    const before = oldByKey.get(key(t));
    if (before) {
      changes.push(...diffTable(before, t));
      continue;
    }
    const previous = versions(oldDocs, t.name);
    if (!previous.length) {
      changes.push({ kind: 'table-added', table: t.name, version: t.version });
      continue;
    }
    changes.push({ kind: 'version-added', table: t.name, version: t.version, previous });
    const latestOld = oldDocs.tables.filter(o => o.name === t.name).sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
    changes.push(...diffTable(latestOld, t, latestOld.version));
  }
  for (const t of oldDocs.tables) {
    if (newByKey.has(key(t))) continue;
    const remaining = versions(newDocs, t.name);
    changes.push(remaining.length ? { kind: 'version-removed', table: t.name, version: t.version, remaining } : { kind: 'table-removed', table: t.name, version: t.version });
  }
  return changes;
}

function diffTable(a: DocTable, b: DocTable, comparedTo?: number): SchemaChange[] {
  const out: SchemaChange[] = [];
  const base = { table: b.name, version: b.version, ...(comparedTo !== undefined ? { comparedTo } : {}) };
  const aCols = new Map(a.columns.map(c => [c.name, c]));
  const bCols = new Map(b.columns.map(c => [c.name, c]));
  for (const c of b.columns) {
    const old = aCols.get(c.name);
    if (!old) out.push({ kind: 'column-added', ...base, column: c.name, type: c.type });
    else if (!sameType(old.type, c.type)) out.push({ kind: 'column-retyped', ...base, column: c.name, from: old.type, to: c.type });
  }
  for (const c of a.columns) if (!bCols.has(c.name)) out.push({ kind: 'column-removed', ...base, column: c.name, type: c.type });
  if (a.primaryKey.join(',') !== b.primaryKey.join(',')) out.push({ kind: 'primary-key-changed', ...base, from: a.primaryKey, to: b.primaryKey });
  return out;
}

export function formatSchemaChange(c: SchemaChange): string {
  const t = `${c.table}${c.version !== undefined ? ` (version=${c.version})` : ''}`;
  const vs = 'comparedTo' in c && c.comparedTo !== undefined ? ` vs version=${c.comparedTo}` : '';
  switch (c.kind) {
    case 'table-added': return `+ table ${t} is new`;
    case 'table-removed': return `- table ${t} is gone`;
    case 'version-added': return `! ${t} is a new version of ${c.table} (had ${c.previous.map(v => `version=${v}`).join(', ')}): point readers at the new folder`;
    case 'version-removed': return `- ${t} is no longer described (still: ${c.remaining.map(v => `version=${v}`).join(', ')})`;
    case 'column-added': return `+ ${t}: column ${c.column}${c.type ? ` ${c.type}` : ''} added${vs}`;
    case 'column-removed': return `- ${t}: column ${c.column}${c.type ? ` ${c.type}` : ''} removed${vs}`;
    case 'column-retyped': return `! ${t}: column ${c.column} changed type ${c.from ?? '?'} → ${c.to ?? '?'}${vs}`;
    case 'primary-key-changed': return `! ${t}: primary key [${c.from.join(', ')}] → [${c.to.join(', ')}]${vs}`;
  }
}
