import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from 'node-sql-parser';
import { generateDdl, WAREHOUSES, type DdlOptions } from '../../src/core/ddl';
import { UsageError } from '../../src/core/errors';

// No npm parser reads Athena/Hive CREATE EXTERNAL TABLE … TBLPROPERTIES, Spark USING json, Snowflake
// external tables or BigQuery WITH PARTITION COLUMNS, so the table DDL is pinned by golden files under
// test/golden/ddl/ (reviewed by hand); the dedupe views are parsed with the closest grammar.
const GOLDEN = path.join(__dirname, '../golden/ddl');
function golden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`golden file ${name} was missing and has been written: review it and run again`);
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept after review)`);
}

const VIEW_PARSER: Record<string, { database: string; rewrite?: (s: string) => string }> = {
  athena: { database: 'trino' },
  spark: { database: 'hive', rewrite: s => s.replace(/ NULLS LAST/g, '').replace(/try_cast\(/g, 'cast(') },
  snowflake: { database: 'snowflake', rewrite: s => s.replace(/METADATA\$FILENAME/g, 'METADATA_FILENAME') },
  bigquery: { database: 'snowflake', rewrite: s => s.replace(/SAFE_CAST\(/g, 'CAST(') },
};

const COLUMNS = [
  { name: 'issue_id', type: 'varchar(191)' }, { name: 'first_utterance_ts', type: 'timestamp' }, { name: 'company_id', type: 'int' },
  { name: 'total_handle_time', type: 'double' }, { name: 'assisted', type: 'boolean' }, { name: 'details', type: 'json' },
];
const base = (engine: DdlOptions['engine']): DdlOptions => ({
  engine, location: 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/', columns: COLUMNS, partitioning: ['dt', 'hr'], database: 'exports', since: '2024-01-01',
});

describe('ddl: warehouse tables over the export layout + dedupe view', () => {
  for (const engine of WAREHOUSES) {
    it(`${engine}: hourly feed matches test/golden/ddl/${engine}-hourly.sql; the view parses`, () => {
      const d = generateDdl(base(engine));
      golden(`${engine}-hourly.sql`, d.sql);
      const view = d.statements.at(-1)!.replace(/^CREATE OR REPLACE VIEW \S+ AS\n/, '');
      const p = VIEW_PARSER[engine];
      assert.doesNotThrow(() => new Parser().astify(p.rewrite ? p.rewrite(view) : view, { database: p.database }), view);
      assert.equal(d.view, 'exports.convos_metrics');
    });
    it(`${engine}: minutely feed (rep_activity) matches its golden file`, () => {
      const d = generateDdl({
        ...base(engine), location: 's3://asapp-prod-acme-exports-us-east-1/rep_activity/version=1/format=jsonl', partitioning: ['dt', 'hr', 'mi'], minutes: ['00', '15', '30', '45'],
        columns: ['company_id', 'instance_ts', 'rep_id', 'status_id', 'in_status_starting_ts', 'total_status_time'].map(name => ({ name, type: name.endsWith('_ts') ? 'timestamp' : name.endsWith('time') ? 'double' : 'varchar' })),
      });
      golden(`${engine}-minutely.sql`, d.sql);
    });
  }

  it('athena: partition projection as the guide layout needs it', () => {
    const sql = generateDdl({ ...base('athena'), partitioning: ['dt', 'hr', 'mi'], minutes: ['00', '30'] }).sql;
    for (const want of [
      "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
      "LOCATION 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/'",
      "'projection.enabled' = 'true'", "'projection.dt.type' = 'date'", "'projection.dt.format' = 'yyyy-MM-dd'", "'projection.dt.range' = '2024-01-01,NOW'",
      "'projection.hr.type' = 'integer'", "'projection.hr.range' = '0,23'", "'projection.hr.digits' = '2'",
      "'projection.mi.type' = 'enum'", "'projection.mi.values' = '00,30'",
      'PARTITIONED BY (`dt` string, `hr` int, `mi` string)',
    ]) assert.ok(sql.includes(want), want);
    const daily = generateDdl({ ...base('athena'), partitioning: ['dt'] }).sql;
    assert.ok(!daily.includes('projection.hr'));
  });

  it('takes the sub-folder from the option when the path alone cannot tell', () => {
    const d = generateDdl({ ...base('athena'), location: 's3://my-bucket/team/asapp/convos_metrics/', subFolder: 'team/asapp' });
    assert.match(d.sql, /LOCATION 's3:\/\/my-bucket\/team\/asapp\/convos_metrics\/version=1\/format=jsonl\/'/);
  });

  it('rejects what it cannot build, with advice', () => {
    assert.throws(() => generateDdl({ ...base('athena'), location: 'https://x' }), UsageError);
    assert.throws(() => generateDdl({ ...base('athena'), location: 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/dt=2024-01-01/' }), /one partition/);
    assert.throws(() => generateDdl({ ...base('athena'), columns: [] }), /--docs/);
    assert.throws(() => generateDdl({ ...base('athena'), columns: [{ name: 'x', type: 'int' }] }), /dedupe key issue_id/);
    assert.throws(() => generateDdl({ ...base('athena'), partitioning: ['dt', 'mi'] }), /dt\/hr\/mi/);
    assert.throws(() => generateDdl({ ...base('oracle' as 'athena') }), /one of athena, spark/);
  });
});
