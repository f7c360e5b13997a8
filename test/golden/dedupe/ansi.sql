-- admin_activity
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "rep_id", "status_description", "status_start_ts" ORDER BY "status_end_ts" DESC NULLS LAST) AS "row_idx"
  FROM "admin_activity" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- agent_journey_rep_event_frequency
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "rep_id", "event_type", "company_marker", "instance_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "agent_journey_rep_event_frequency" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- autopilot_flow
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "form_start_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "autopilot_flow" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- cobrowsing
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "cob_start_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "cobrowsing" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_intents
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_intents" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_intents_ended
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_intents_ended" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_metadata
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "last_event_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_metadata" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_metadata_ended
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "conversation_end_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_metadata_ended" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_metrics
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_metrics" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_metrics_ended
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_metrics_ended" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- convos_summary_tags
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id", "summary_tag_presented" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "convos_summary_tags" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- csid_containment
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "csid" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "csid_containment" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- csid_containment_1d
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "csid" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "csid_containment_1d" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- customer_feedback
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_subdivision", "company_segments", "last_rep_id", "question", "instance_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "customer_feedback" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- customer_params
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "event_id", "param_key" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "customer_params" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- dim_queues
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "queue_key") AS "row_idx"
  FROM "dim_queues" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- export_row_counts
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "export_date", "export_job", "export_interval") AS "row_idx"
  FROM "export_row_counts" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- fact_convos_missed_ends
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "conversation_end_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "fact_convos_missed_ends" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- flow_completions
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "negation_event_ts" DESC NULLS LAST, "success_event_ts" DESC NULLS LAST) AS "row_idx"
  FROM "flow_completions" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- flow_detail
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "event_ts" ORDER BY "event_ts" DESC NULLS LAST) AS "row_idx"
  FROM "flow_detail" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- intents
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "code", "name", "intent_type") AS "row_idx"
  FROM "intents" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_callback_3d
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_callback_3d" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_omnichannel
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "third_party_customer_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_omnichannel" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_queues
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "queue_id", "enter_queue_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_queues" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_sentiment
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "created_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_sentiment" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_session_merge
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "session_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_session_merge" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- issue_type
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "customer_id", "issue_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "issue_type" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- knowledge_base
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id", "article_id", "event_ts" ORDER BY "event_ts" DESC NULLS LAST) AS "row_idx"
  FROM "knowledge_base" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- live_agent_opportunities
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "customer_id", "opportunity_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "live_agent_opportunities" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- queue_check_ins
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "customer_id", "check_in_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "queue_check_ins" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- queue_membership_wfm
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "instance_ts", "company_id", "rep_id", "queue_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "queue_membership_wfm" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- queue_wfm
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "instance_ts", "queue_name", "rep_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "queue_wfm" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- quick_reply_buttons
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "final_intent_code", "quick_reply_button_text", "escalated_to_chat", "escalation_requested", "quick_reply_button_index" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "quick_reply_buttons" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- reps
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "rep_id" ORDER BY "created_ts" DESC NULLS LAST) AS "row_idx"
  FROM "reps" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_activity
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "instance_ts", "rep_id", "status_id", "in_status_starting_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_activity" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_assignment_disposition
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "rep_id", "rep_assigned_ts" ORDER BY "rep_assigned_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_assignment_disposition" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_attributes
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "rep_attribute_id", "rep_id", "created_ts" ORDER BY "created_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_attributes" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_augmentation
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_augmentation" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_convos
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "rep_id", "issue_assigned_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_convos" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_hierarchy
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "subordinate_agent_id", "superior_agent_id") AS "row_idx"
  FROM "rep_hierarchy" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- rep_utilized
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "instance_ts", "rep_id", "desk_mode" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "rep_utilized" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- sms_events
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "sms_flow_id") AS "row_idx"
  FROM "sms_events" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- transfers
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "rep_id", "timestamp_req" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "transfers" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- utterances
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "sender_id", "created_ts" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "utterances" AS "src"
) AS "latest"
WHERE "row_idx" = 1;

-- voice_intents
-- No tie-breaker: copies with equal order-by values are picked arbitrarily. Name a load column to fix it.
SELECT *
FROM (
  SELECT "src".*,
    ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id" ORDER BY "instance_ts" DESC NULLS LAST) AS "row_idx"
  FROM "voice_intents" AS "src"
) AS "latest"
WHERE "row_idx" = 1;
