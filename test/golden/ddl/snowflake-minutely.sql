-- Once per bucket; needs a storage integration allowed to read s3://asapp-prod-acme-exports-us-east-1/
CREATE STAGE IF NOT EXISTS exports.asapp_exports_stage
  URL = 's3://asapp-prod-acme-exports-us-east-1/'
  STORAGE_INTEGRATION = asapp_exports_integration;

CREATE FILE FORMAT IF NOT EXISTS exports.asapp_jsonl
  TYPE = JSON
  COMPRESSION = AUTO;

CREATE OR REPLACE EXTERNAL TABLE exports.rep_activity_raw (
  dt VARCHAR AS (SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, 'dt=[0-9-]+'), '=', 2)),
  hr VARCHAR AS (SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, 'hr=[0-9-]+'), '=', 2)),
  mi VARCHAR AS (SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, 'mi=[0-9-]+'), '=', 2)),
  company_id VARCHAR AS (VALUE:company_id::VARCHAR),
  instance_ts VARCHAR AS (VALUE:instance_ts::VARCHAR),
  rep_id VARCHAR AS (VALUE:rep_id::VARCHAR),
  status_id VARCHAR AS (VALUE:status_id::VARCHAR),
  in_status_starting_ts VARCHAR AS (VALUE:in_status_starting_ts::VARCHAR),
  total_status_time FLOAT AS (VALUE:total_status_time::FLOAT)
)
PARTITION BY (dt, hr, mi)
LOCATION = @exports.asapp_exports_stage/rep_activity/version=1/format=jsonl/
PATTERN = '.*[.]jsonl([.][0-9]{2})?([.]gz)?'
FILE_FORMAT = (FORMAT_NAME = 'exports.asapp_jsonl')
AUTO_REFRESH = FALSE;

ALTER EXTERNAL TABLE exports.rep_activity_raw REFRESH;

CREATE OR REPLACE VIEW exports.rep_activity AS
SELECT company_id, instance_ts, rep_id, status_id, in_status_starting_ts, total_status_time, dt, hr, mi
FROM exports.rep_activity_raw
QUALIFY ROW_NUMBER() OVER (PARTITION BY company_id, instance_ts, rep_id, status_id, in_status_starting_ts ORDER BY TRY_TO_TIMESTAMP_TZ(instance_ts) DESC NULLS LAST, METADATA$FILENAME DESC) = 1;
