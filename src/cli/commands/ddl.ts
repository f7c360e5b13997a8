// `ddl athena|spark|snowflake|bigquery s3://…`: the warehouse table over a feed plus its dedupe view.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { generateDdl, WAREHOUSES, type Warehouse } from '../../core/ddl';
import { parseExportUri } from '../../core/layout';
import { findDocTable } from '../../core/schema/exportDocs';
import { inferSchema } from '../../core/schema/infer';
import { REFERENCE_COLUMNS } from '../../core/schema/referenceColumns';
import { keysOption, listOption, readDocs } from './dedupe';

const ddl: CliCommand = {
  name: 'ddl',
  summary: 'Warehouse DDL for a feed (Athena, Spark, Snowflake, BigQuery) with the dedupe view on top',
  usage: `ddl ${WAREHOUSES.join('|')} s3://BUCKET/[SUB/]FEED/version=N/format=jsonl/ [--docs FILE|s3://…] [--sample FILE] [--database DB] [--since YYYY-MM-DD] [--partitioning dt,hr[,mi]] [--minutes 00,15,30,45] [--stage NAME] [--connection NAME]`,
  details: [
    'Columns and partitioning come from export_docs.yaml (--docs), else from a sample file (--sample), else from the',
    'columns publicly known for the table. Timestamps are declared as text; the view orders by them parsed.',
    'Athena: partition projection (dt date from --since to NOW, hr 00–23, mi the --minutes the feed uses): no crawler.',
    'The engines cannot read .enc files: decrypt them into your own bucket first if the feed is doubly encrypted.',
  ],
  options: {
    docs: { type: 'string' }, sample: { type: 'string' }, database: { type: 'string' }, since: { type: 'string' }, partitioning: { type: 'string' },
    minutes: { type: 'string' }, stage: { type: 'string' }, connection: { type: 'string' }, 'sub-folder': { type: 'string' },
    'partition-by': { type: 'string' }, 'order-by': { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    const [engine, location] = positionals;
    if (!engine || !location || positionals.length > 2) throw new UsageError(`Give the engine and the feed's location, e.g. ddl athena s3://BUCKET/convos_metrics/version=1/format=jsonl/.`);
    if (!(WAREHOUSES as readonly string[]).includes(engine)) throw new UsageError(`Unknown warehouse "${engine}": use one of ${WAREHOUSES.join(', ')}.`);
    const subFolder = values['sub-folder'] as string | undefined;
    const loc = parseExportUri(`s3://${location.replace(/^(s3|gs):\/\//, '').replace(/\/?$/, '/')}`, subFolder !== undefined ? { subFolder } : {});
    const feed = loc.feed;
    if (!feed) throw new UsageError(`${location} does not name a feed.`);
    let columns: Array<{ name: string; type?: string }> | undefined;
    let partitioning = listOption(values, 'partitioning');
    let source: string;
    if (typeof values.docs === 'string') {
      const t = findDocTable(await readDocs(ctx, values.docs, values), feed, loc.version ?? 1);
      if (!t) throw new UsageError(`${values.docs} does not describe ${feed}: check the name or pass --sample FILE.`);
      columns = t.columns;
      partitioning ??= t.partitioning;
      source = 'export_docs.yaml';
    } else if (typeof values.sample === 'string') {
      const file = path.resolve(ctx.cwd, values.sample);
      const raw = await readFile(file);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      columns = inferSchema(text.split('\n').slice(0, 10000), { name: feed }).columns;
      source = `inferred from ${values.sample}`;
    } else if (REFERENCE_COLUMNS[feed]) {
      columns = [...REFERENCE_COLUMNS[feed]];
      source = 'publicly known columns (older export version: check them, or pass --docs)';
    } else {
      throw new UsageError(`No columns known for ${feed}: pass --docs export_docs.yaml or --sample FILE.`);
    }
    if (!partitioning) {
      partitioning = ['dt', 'hr'];
      ctx.logger.warn(`partitioning of ${feed} unknown: assumed dt/hr (pass --partitioning dt or dt,hr,mi).`);
    }
    const minutes = listOption(values, 'minutes');
    if (partitioning.includes('mi') && !minutes) ctx.logger.warn('minutes of mi= partitions not given: assumed 00,15,30,45 (pass --minutes).');
    const out = generateDdl({
      engine: engine as Warehouse, location, subFolder, columns, partitioning: partitioning as Array<'dt' | 'hr' | 'mi'>, minutes,
      since: values.since as string | undefined, database: values.database as string | undefined, keys: keysOption(values),
      stage: values.stage as string | undefined, connection: values.connection as string | undefined,
    });
    if (ctx.json) ctx.printJson({ ...out, columnsFrom: source });
    else {
      ctx.print(`-- ${out.engine}: ${out.rawTable} over ${location}; dedupe view ${out.view}. Columns: ${source}.`);
      ctx.print(out.sql.trimEnd());
    }
  },
};

export const commands: CliCommand[] = [ddl];
