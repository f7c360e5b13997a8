// The daily export_docs.yaml the vendor publishes next to the feeds (structure: docs/demo.md and
// /work/helpers/CONTRACTS.md). `order_by` is an extra field: readers keep unknown fields.
import { Document, Scalar } from 'yaml';
import type { SampleTable } from './tables';

const PARTITIONING: Record<SampleTable['cadence'], string[]> = {
  hourly: ['dt', 'hr'],
  'quarter-hourly': ['dt', 'hr', 'mi'],
  daily: ['dt'],
};

export function exportDocsYaml(o: { dt: string; generatedAt: string; tables: readonly SampleTable[] }): string {
  const doc = {
    generated_at: o.generatedAt,
    export_date: o.dt,
    tables: o.tables.map(t => ({
      name: t.feed,
      version: t.version,
      description: t.description,
      sync_time: t.syncTime,
      partitioning: PARTITIONING[t.cadence],
      primary_key: t.primaryKey,
      ...(t.orderBy ? { order_by: [t.orderBy] } : {}),
      columns: t.columns.map(c => ({
        name: c.name,
        type: c.type,
        description: c.description,
        primary: c.primary,
        pii: c.pii,
        ...(c.example !== undefined ? { example: c.example } : {}),
      })),
    })),
  };
  const out = new Document(doc, { aliasDuplicateObjects: false });
  // Quoted so that YAML 1.1 readers (PyYAML, Hive tooling) keep them as strings, not dates.
  for (const field of ['generated_at', 'export_date']) {
    const node = out.get(field, true) as Scalar;
    node.type = Scalar.QUOTE_DOUBLE;
  }
  return out.toString({ lineWidth: 0 });
}
