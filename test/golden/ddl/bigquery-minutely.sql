CREATE OR REPLACE EXTERNAL TABLE `exports.rep_activity_raw` (
  company_id STRING,
  instance_ts STRING,
  rep_id STRING,
  status_id STRING,
  in_status_starting_ts STRING,
  total_status_time FLOAT64
)
WITH PARTITION COLUMNS (dt DATE, hr STRING, mi STRING)
WITH CONNECTION `aws-us-east-1.asapp_exports`
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  compression = 'GZIP',
  uris = ['s3://asapp-prod-acme-exports-us-east-1/rep_activity/version=1/format=jsonl/*.gz'],
  hive_partition_uri_prefix = 's3://asapp-prod-acme-exports-us-east-1/rep_activity/version=1/format=jsonl',
  require_hive_partition_filter = false
);

CREATE OR REPLACE VIEW `exports.rep_activity` AS
SELECT `company_id`, `instance_ts`, `rep_id`, `status_id`, `in_status_starting_ts`, `total_status_time`, `dt`, `hr`, `mi`
FROM `exports.rep_activity_raw`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY `company_id`, `instance_ts`, `rep_id`, `status_id`, `in_status_starting_ts` ORDER BY SAFE_CAST(`instance_ts` AS TIMESTAMP) DESC NULLS LAST, _FILE_NAME DESC) = 1;
