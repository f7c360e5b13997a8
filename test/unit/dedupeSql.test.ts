import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from 'node-sql-parser';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEDUPE_REFERENCE } from '../../src/core/dedupe/reference';
import { DIALECTS, dialectSpec, type Dialect } from '../../src/core/dedupe/dialects';
import { generateDedupeSql, type DedupeSqlOptions } from '../../src/core/dedupe/sql';
import { DedupeError, UsageError } from '../../src/core/errors';

const GOLDEN = path.join(__dirname, '../golden/dedupe');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

// node-sql-parser 5.4 has no DuckDB, Spark or Databricks grammar, and some grammars miss constructs the
// engines accept. Each dialect is parsed by the closest grammar; where a grammar lacks a construct the
// engine documents, the construct is rewritten for the parser only (listed here) and the exact text is
// pinned by a golden file under test/golden/dedupe/ instead.
const PARSERS: Record<Dialect, { database: string; rewrite?: (sql: string) => string; why?: string }[]> = {
  ansi: [{ database: 'postgresql' }, { database: 'trino' }],
  athena: [{ database: 'trino' }], // Athena engine v3 is Trino; the 'athena' grammar lacks NULLS LAST
  trino: [{ database: 'trino' }],
  spark: [{ database: 'hive', rewrite: s => s.replace(/ NULLS LAST/g, '').replace(/try_cast\(/g, 'cast('), why: 'hive grammar: no NULLS LAST, no try_cast' }],
  databricks: [{ database: 'hive', rewrite: s => s.replace(/ NULLS LAST/g, '').replace(/try_cast\(/g, 'cast('), why: 'hive grammar: no NULLS LAST, no try_cast' }],
  snowflake: [{ database: 'snowflake', rewrite: s => s.replace(/METADATA\$FILENAME/g, 'METADATA_FILENAME'), why: 'grammar does not lex $ in names' }],
  bigquery: [{ database: 'snowflake', rewrite: s => s.replace(/SAFE_CAST\(/g, 'CAST('), why: 'bigquery grammar has no QUALIFY / NULLS LAST' }],
  duckdb: [{ database: 'snowflake', rewrite: s => s.replace(/AS TIMESTAMPTZ\)/g, 'AS TIMESTAMP)'), why: 'no DuckDB grammar; also executed below' }],
  postgres: [{ database: 'postgresql' }],
};

const parser = new Parser();
function parses(sql: string, d: Dialect): void {
  for (const p of PARSERS[d]) {
    const text = p.rewrite ? p.rewrite(sql) : sql;
    assert.doesNotThrow(() => parser.astify(text, { database: p.database }), `${d} via ${p.database}:\n${text}`);
  }
}

function golden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    if (!UPDATE) assert.fail(`golden file ${name} was missing and has been written: review it and run again`);
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept after review)`);
}

const VARIANTS: Array<Partial<DedupeSqlOptions>> = [
  {},
  { since: '2024-01-31', castTimestamps: true },
  { columns: ['issue_id', 'company_id'], source: 'exports.raw_table' },
];

describe('dedupe SQL: every table × every dialect', () => {
  for (const d of DIALECTS) {
    it(`${d}: all ${DEDUPE_REFERENCE.length} tables parse (${PARSERS[d].map(p => p.database + (p.why ? ` — ${p.why}` : '')).join('; ')})`, () => {
      for (const t of DEDUPE_REFERENCE) for (const v of VARIANTS) parses(generateDedupeSql({ table: t.name, dialect: d, ...v }).sql, d);
    });
    it(`${d}: output matches test/golden/dedupe/${d}.sql`, () => {
      const text = DEDUPE_REFERENCE.map(t => `-- ${t.name}\n${generateDedupeSql({ table: t.name, dialect: d }).sql};\n`).join('\n');
      golden(`${d}.sql`, text);
    });
  }

  it('options: since, columns, source, custom keys, cast, tie-break columns (golden)', () => {
    const cases: DedupeSqlOptions[] = [
      { table: 'flow_completions', dialect: 'athena', since: '2024-01-31', castTimestamps: true, source: 'asapp.flow_completions' },
      { table: 'convos_metrics', dialect: 'bigquery', source: 'my-project.exports.convos_metrics', columns: ['issue_id', 'first_utterance_ts'] },
      { table: 'convos_metrics', dialect: 'bigquery', since: '2024-01-31' },
      { table: 'dim_queues', dialect: 'snowflake', source: 'EXPORTS.PUBLIC.DIM_QUEUES' },
      { table: 'new_feed', dialect: 'spark', keys: { partitionBy: ['id', 'company_id'], orderBy: ['updated_ts'] } },
      { table: 'utterances', dialect: 'postgres', tieBreak: { kind: 'columns', columns: ['loaded_at'] } },
      { table: 'intents', dialect: 'databricks', castTimestamps: true },
      { table: 'intents', dialect: 'ansi' },
    ];
    const text = cases.map(c => `-- ${JSON.stringify(c)}\n${generateDedupeSql(c).sql};\n`).join('\n');
    golden('options.sql', text);
    for (const c of cases) parses(generateDedupeSql(c).sql, c.dialect as Dialect);
  });

  it('writes NULLS LAST on every order-by and tie-break column, and the file-path column last', () => {
    const athena = generateDedupeSql({ table: 'flow_completions', dialect: 'athena' }).sql;
    assert.match(athena, /ORDER BY "negation_event_ts" DESC NULLS LAST, "success_event_ts" DESC NULLS LAST, "\$path" DESC\)/);
    assert.match(generateDedupeSql({ table: 'reps', dialect: 'spark' }).sql, /ORDER BY `created_ts` DESC NULLS LAST, input_file_name\(\) DESC\)/);
    assert.match(generateDedupeSql({ table: 'reps', dialect: 'databricks' }).sql, /_metadata\.file_path DESC/);
    assert.match(generateDedupeSql({ table: 'reps', dialect: 'snowflake' }).sql, /QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY rep_id ORDER BY created_ts DESC NULLS LAST, METADATA\$FILENAME DESC\) = 1/);
    assert.match(generateDedupeSql({ table: 'reps', dialect: 'bigquery' }).sql, /WHERE TRUE\nQUALIFY .*_FILE_NAME DESC\) = 1/);
    assert.match(generateDedupeSql({ table: 'dim_queues', dialect: 'trino' }).sql, /PARTITION BY "queue_key" ORDER BY "\$path" DESC\)/);
  });

  it('quotes identifiers per dialect', () => {
    assert.equal(dialectSpec('postgresql').quoteIdent('a"b'), '"a""b"');
    assert.equal(dialectSpec('spark').quoteIdent('a`b'), '`a``b`');
    assert.equal(dialectSpec('snowflake').quoteIdent('issue_id'), 'issue_id');
    assert.equal(dialectSpec('snowflake').quoteIdent('order'), '"order"');
    assert.equal(dialectSpec('bigquery').quoteSource('my-proj.ds.t'), '`my-proj.ds.t`');
    assert.equal(dialectSpec('trino').quoteSource('hive.exports.t'), '"hive"."exports"."t"');
  });

  it('rejects bad input with advice', () => {
    assert.throws(() => generateDedupeSql({ table: 'convos_metrics', dialect: 'oracle' }), (e: unknown) => e instanceof UsageError && /one of ansi, athena/.test(e.message));
    assert.throws(() => generateDedupeSql({ table: 'convos_metrics', dialect: 'ansi', since: '2024-13-01' }), (e: unknown) => e instanceof UsageError && /YYYY-MM-DD/.test(e.message));
    assert.throws(() => generateDedupeSql({ table: 'convos_metrics', dialect: 'ansi', columns: ['a; DROP TABLE x'] }), UsageError);
    assert.throws(() => generateDedupeSql({ table: 'nope', dialect: 'ansi' }), DedupeError);
    assert.throws(() => generateDedupeSql({ table: 'reps', dialect: 'postgres', tieBreak: { kind: 'path' } }), /no file-path column/);
    assert.throws(() => generateDedupeSql({ table: 'reps', dialect: 'ansi', source: 'a..b' }), UsageError);
  });
});

// Runs the DuckDB and ANSI forms on real DuckDB: per table, several copies of one key with older, equal,
// NULL timestamps across files; the winner must be the one a plain sort in JS picks.
describe('dedupe SQL: DuckDB and ANSI forms executed on DuckDB', function () {
  this.timeout(60000);
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  before(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    conn = await instance.connect();
  });
  after(() => { conn?.closeSync(); instance?.closeSync(); });

  type Row = Record<string, string | null>;
  function rowsFor(cols: string[], orderBy: string[]): Row[] {
    const ts = ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', null, '2024-01-02T00:00:00Z', '2023-12-31T23:59:59Z'];
    const files = ['dt=2024-01-01/a', 'dt=2024-01-01/a', 'dt=2024-01-03/z', 'dt=2024-01-02/b', 'dt=2024-01-04/c'];
    return ts.map((t, i) => {
      const r: Row = { row_id: `r${i}`, filename: files[i], dt: files[i].slice(3, 13) };
      for (const c of cols) r[c] = orderBy.includes(c) ? (orderBy.indexOf(c) === 0 ? t : (i % 2 ? '2024-01-05T00:00:00Z' : null)) : 'k';
      return r;
    });
  }
  function oracle(rows: Row[], partitionBy: string[], orderBy: string[], tie: string[]): string[] {
    const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? 1 : -1);
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = JSON.stringify(partitionBy.map(c => r[c]));
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return [...groups.values()].map(g => g.sort((a, b) => {
      for (const c of [...orderBy, ...tie]) { const x = cmp(a[c], b[c]); if (x) return x; }
      return 0;
    })[0].row_id!).sort();
  }

  for (const t of DEDUPE_REFERENCE) {
    it(`${t.name}: duckdb (QUALIFY) and ansi (subquery) pick the oracle's rows`, async () => {
      const cols = [...new Set([...t.partitionBy, ...t.orderBy])];
      const rows = rowsFor(cols, t.orderBy);
      const all = ['row_id', 'filename', 'dt', ...cols];
      await conn.run(`CREATE OR REPLACE TABLE "${t.name}" (${all.map(c => `"${c}" VARCHAR`).join(', ')})`);
      const lit = (v: string | null) => (v === null ? 'NULL' : `'${v}'`);
      await conn.run(`INSERT INTO "${t.name}" VALUES ${rows.map(r => `(${all.map(c => lit(r[c])).join(', ')})`).join(', ')}`);
      const want = oracle(rows, t.partitionBy, t.orderBy, ['filename']);
      for (const o of [
        { dialect: 'duckdb', castTimestamps: true },
        { dialect: 'duckdb' },
        { dialect: 'ansi', tieBreak: { kind: 'columns', columns: ['dt', 'filename'] } },
      ] as Array<Partial<DedupeSqlOptions>>) {
        const { sql } = generateDedupeSql({ table: t.name, dialect: 'duckdb', ...o });
        const got = (await (await conn.runAndReadAll(sql)).getRowObjectsJson()).map(r => String(r.row_id)).sort();
        assert.deepEqual(got, want, `${o.dialect}${o.castTimestamps ? ' cast' : ''}:\n${sql}`);
      }
      const since = (await conn.runAndReadAll(generateDedupeSql({ table: t.name, dialect: 'duckdb', since: '2024-01-03' }).sql)).getRowObjectsJson();
      assert.deepEqual(since.map(r => String(r.row_id)).sort(), oracle(rows.filter(r => r.dt! >= '2024-01-03'), t.partitionBy, t.orderBy, ['filename']));
    });
  }
});
