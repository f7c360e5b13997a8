CREATE TABLE IF NOT EXISTS `exports`.`convos_metrics_raw` (
  `issue_id` STRING,
  `first_utterance_ts` STRING,
  `company_id` BIGINT,
  `total_handle_time` DOUBLE,
  `assisted` BOOLEAN,
  `details` STRING,
  `dt` STRING,
  `hr` STRING
)
USING json
PARTITIONED BY (`dt`, `hr`)
LOCATION 's3://asapp-prod-acme-exports-us-east-1/acme/convos_metrics/version=1/format=jsonl/';

ALTER TABLE `exports`.`convos_metrics_raw` RECOVER PARTITIONS;

CREATE OR REPLACE VIEW `exports`.`convos_metrics` AS
SELECT `issue_id`, `first_utterance_ts`, `company_id`, `total_handle_time`, `assisted`, `details`, `dt`, `hr`
FROM (
  SELECT `src`.*,
    ROW_NUMBER() OVER (PARTITION BY `issue_id` ORDER BY try_cast(`first_utterance_ts` AS TIMESTAMP) DESC NULLS LAST, input_file_name() DESC) AS `row_idx`
  FROM `exports`.`convos_metrics_raw` AS `src`
) AS `latest`
WHERE `row_idx` = 1;
