CREATE OR REPLACE EXTERNAL TABLE `exports.convos_metrics_raw` (
  issue_id STRING,
  first_utterance_ts STRING,
  company_id INT64,
  total_handle_time FLOAT64,
  assisted BOOL,
  details JSON
)
WITH PARTITION COLUMNS (dt DATE, hr STRING)
WITH CONNECTION `aws-us-east-1.asapp_exports`
OPTIONS (
  format = 'NEWLINE_DELIMITED_JSON',
  compression = 'GZIP',
  uris = ['s3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/*.gz'],
  hive_partition_uri_prefix = 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl',
  require_hive_partition_filter = false
);

CREATE OR REPLACE VIEW `exports.convos_metrics` AS
SELECT `issue_id`, `first_utterance_ts`, `company_id`, `total_handle_time`, `assisted`, `details`, `dt`, `hr`
FROM `exports.convos_metrics_raw`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY `issue_id` ORDER BY SAFE_CAST(`first_utterance_ts` AS TIMESTAMP) DESC NULLS LAST, _FILE_NAME DESC) = 1;
