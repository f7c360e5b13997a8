CREATE EXTERNAL TABLE IF NOT EXISTS `exports`.`rep_activity_raw` (
  `company_id` string,
  `instance_ts` string,
  `rep_id` string,
  `status_id` string,
  `in_status_starting_ts` string,
  `total_status_time` double
)
PARTITIONED BY (`dt` string, `hr` int, `mi` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false')
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://asapp-prod-acme-exports-us-east-1/rep_activity/version=1/format=jsonl/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2024-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hr.type' = 'integer',
  'projection.hr.range' = '0,23',
  'projection.hr.digits' = '2',
  'projection.mi.type' = 'enum',
  'projection.mi.values' = '00,15,30,45'
);

CREATE OR REPLACE VIEW "exports"."rep_activity" AS
SELECT "company_id", "instance_ts", "rep_id", "status_id", "in_status_starting_ts", "total_status_time", "dt", "hr", "mi"
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "instance_ts", "rep_id", "status_id", "in_status_starting_ts" ORDER BY try(from_iso8601_timestamp(replace("instance_ts", ' ', 'T'))) DESC NULLS LAST, "$path" DESC) AS "row_idx"
  FROM "exports"."rep_activity_raw" AS "src"
) AS "latest"
WHERE "row_idx" = 1;
