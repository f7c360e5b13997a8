CREATE EXTERNAL TABLE IF NOT EXISTS `exports`.`convos_metrics_raw` (
  `issue_id` string,
  `first_utterance_ts` string,
  `company_id` bigint,
  `total_handle_time` double,
  `assisted` boolean,
  `details` string
)
PARTITIONED BY (`dt` string, `hr` int)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false')
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hr.type' = 'integer',
  'projection.hr.range' = '0,23',
  'projection.hr.digits' = '2'
);

CREATE OR REPLACE VIEW "exports"."convos_metrics" AS
SELECT "issue_id", "first_utterance_ts", "company_id", "total_handle_time", "assisted", "details", "dt", "hr"
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY try(from_iso8601_timestamp(replace("first_utterance_ts", ' ', 'T'))) DESC NULLS LAST, "$path" DESC) AS "row_idx"
  FROM "exports"."convos_metrics_raw" AS "src"
) AS "latest"
WHERE "row_idx" = 1;
