-- {"table":"flow_completions","dialect":"athena","since":"2024-01-31","castTimestamps":true,"source":"asapp.flow_completions"}
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY try(from_iso8601_timestamp(replace("negation_event_ts", ' ', 'T'))) DESC NULLS LAST, try(from_iso8601_timestamp(replace("success_event_ts", ' ', 'T'))) DESC NULLS LAST, "$path" DESC) AS "row_idx"
  FROM "asapp"."flow_completions" AS "src"
  WHERE "dt" >= '2024-01-31'
) AS "latest"
WHERE "row_idx" = 1;

-- {"table":"convos_metrics","dialect":"bigquery","source":"my-project.exports.convos_metrics","columns":["issue_id","first_utterance_ts"]}
SELECT `issue_id`, `first_utterance_ts`
FROM `my-project.exports.convos_metrics`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY `issue_id` ORDER BY `first_utterance_ts` DESC NULLS LAST, _FILE_NAME DESC) = 1;

-- {"table":"convos_metrics","dialect":"bigquery","since":"2024-01-31"}
SELECT *
FROM `convos_metrics`
WHERE `dt` >= '2024-01-31'
QUALIFY ROW_NUMBER() OVER (PARTITION BY `issue_id` ORDER BY `first_utterance_ts` DESC NULLS LAST, _FILE_NAME DESC) = 1;

-- {"table":"dim_queues","dialect":"snowflake","source":"EXPORTS.PUBLIC.DIM_QUEUES"}
SELECT *
FROM EXPORTS.PUBLIC.DIM_QUEUES
QUALIFY ROW_NUMBER() OVER (PARTITION BY queue_key ORDER BY METADATA$FILENAME DESC) = 1;

-- {"table":"new_feed","dialect":"spark","keys":{"partitionBy":["id","company_id"],"orderBy":["updated_ts"]}}
SELECT *
FROM (
  SELECT `src`.*,
    ROW_NUMBER() OVER (PARTITION BY `id`, `company_id` ORDER BY `updated_ts` DESC NULLS LAST, input_file_name() DESC) AS `row_idx`
  FROM `new_feed` AS `src`
) AS `latest`
WHERE `row_idx` = 1;

-- {"table":"utterances","dialect":"postgres","tieBreak":{"kind":"columns","columns":["loaded_at"]}}
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "sender_id", "created_ts" ORDER BY "instance_ts" DESC NULLS LAST, "loaded_at" DESC NULLS LAST) AS "row_idx"
  FROM "utterances" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- {"table":"intents","dialect":"databricks","castTimestamps":true}
SELECT *
FROM (
  SELECT `src`.*,
    ROW_NUMBER() OVER (PARTITION BY `code`, `name`, `intent_type` ORDER BY _metadata.file_path DESC) AS `row_idx`
  FROM `intents` AS `src`
) AS `latest`
WHERE `row_idx` = 1;

-- {"table":"intents","dialect":"ansi"}
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "code", "name", "intent_type") AS "row_idx"
  FROM "intents" AS "src"
) AS "latest"
WHERE "row_idx" = 1;
