// One small vocabulary for column types, so that the vendor's names (varchar(191), datetime, double),
// Hive names (STRING, INT) and inferred types map the same way into DuckDB and warehouse DDL.
export type LogicalType = 'string' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'date' | 'json';

export function logicalType(type: string | undefined): LogicalType {
  const t = (type ?? '').trim().toLowerCase().replace(/\(.*\)$/, '').trim();
  if (/^(tinyint|smallint|int|integer|bigint|long|int64|int32|number)$/.test(t)) return 'bigint';
  if (/^(double|float|real|decimal|numeric|float64|double precision)$/.test(t)) return 'double';
  if (/^(bool|boolean)$/.test(t)) return 'boolean';
  if (/^(timestamp|datetime|timestamptz|timestamp with time zone|timestamp_tz|timestamp_ntz)$/.test(t)) return 'timestamp';
  if (t === 'date') return 'date';
  if (/^(json|variant|object|array|map|struct|record)/.test(t)) return 'json';
  return 'string';
}

/** Timestamps and dates are kept as the vendor's text when read (mixed precision, 'T' or space); order
 *  and filter through a cast that yields NULL on a bad value. */
export function isTemporal(t: LogicalType): boolean {
  return t === 'timestamp' || t === 'date';
}
