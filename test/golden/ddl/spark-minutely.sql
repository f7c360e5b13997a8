CREATE TABLE IF NOT EXISTS `exports`.`rep_activity_raw` (
  `company_id` STRING,
  `instance_ts` STRING,
  `rep_id` STRING,
  `status_id` STRING,
  `in_status_starting_ts` STRING,
  `total_status_time` DOUBLE,
  `dt` STRING,
  `hr` STRING,
  `mi` STRING
)
USING json
PARTITIONED BY (`dt`, `hr`, `mi`)
LOCATION 's3://asapp-prod-acme-exports-us-east-1/rep_activity/version=1/format=jsonl/';

ALTER TABLE `exports`.`rep_activity_raw` RECOVER PARTITIONS;

CREATE OR REPLACE VIEW `exports`.`rep_activity` AS
SELECT `company_id`, `instance_ts`, `rep_id`, `status_id`, `in_status_starting_ts`, `total_status_time`, `dt`, `hr`, `mi`
FROM (
  SELECT `src`.*,
    ROW_NUMBER() OVER (PARTITION BY `company_id`, `instance_ts`, `rep_id`, `status_id`, `in_status_starting_ts` ORDER BY try_cast(`instance_ts` AS TIMESTAMP) DESC NULLS LAST, input_file_name() DESC) AS `row_idx`
  FROM `exports`.`rep_activity_raw` AS `src`
) AS `latest`
WHERE `row_idx` = 1;
