-- Once per bucket; needs a storage integration allowed to read s3://asapp-prod-acme-exports-us-east-1/acme/
CREATE STAGE IF NOT EXISTS exports.asapp_exports_stage
  URL = 's3://asapp-prod-acme-exports-us-east-1/acme/'
  STORAGE_INTEGRATION = asapp_exports_integration;

CREATE FILE FORMAT IF NOT EXISTS exports.asapp_jsonl
  TYPE = JSON
  COMPRESSION = AUTO;

CREATE OR REPLACE EXTERNAL TABLE exports.convos_metrics_raw (
  dt VARCHAR AS (SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, 'dt=[0-9-]+'), '=', 2)),
  hr VARCHAR AS (SPLIT_PART(REGEXP_SUBSTR(METADATA$FILENAME, 'hr=[0-9-]+'), '=', 2)),
  issue_id VARCHAR AS (VALUE:issue_id::VARCHAR),
  first_utterance_ts VARCHAR AS (VALUE:first_utterance_ts::VARCHAR),
  company_id NUMBER(38,0) AS (VALUE:company_id::NUMBER),
  total_handle_time FLOAT AS (VALUE:total_handle_time::FLOAT),
  assisted BOOLEAN AS (VALUE:assisted::BOOLEAN),
  details VARIANT AS (VALUE:details::VARIANT)
)
PARTITION BY (dt, hr)
LOCATION = @exports.asapp_exports_stage/convos_metrics/version=1/format=jsonl/
PATTERN = '.*[.]jsonl([.][0-9]{2})?([.]gz)?'
FILE_FORMAT = (FORMAT_NAME = 'exports.asapp_jsonl')
AUTO_REFRESH = FALSE;

ALTER EXTERNAL TABLE exports.convos_metrics_raw REFRESH;

CREATE OR REPLACE VIEW exports.convos_metrics AS
SELECT issue_id, first_utterance_ts, company_id, total_handle_time, assisted, details, dt, hr
FROM exports.convos_metrics_raw
QUALIFY ROW_NUMBER() OVER (PARTITION BY issue_id ORDER BY TRY_TO_TIMESTAMP_TZ(first_utterance_ts) DESC NULLS LAST, METADATA$FILENAME DESC) = 1;
