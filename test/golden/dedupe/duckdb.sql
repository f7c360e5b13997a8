-- admin_activity
SELECT *
FROM "admin_activity"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "rep_id", "status_description", "status_start_ts" ORDER BY "status_end_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- agent_journey_rep_event_frequency
SELECT *
FROM "agent_journey_rep_event_frequency"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "rep_id", "event_type", "company_marker", "instance_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- autopilot_flow
SELECT *
FROM "autopilot_flow"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "form_start_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- cobrowsing
SELECT *
FROM "cobrowsing"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "cob_start_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_intents
SELECT *
FROM "convos_intents"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_intents_ended
SELECT *
FROM "convos_intents_ended"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_metadata
SELECT *
FROM "convos_metadata"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "last_event_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_metadata_ended
SELECT *
FROM "convos_metadata_ended"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "conversation_end_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_metrics
SELECT *
FROM "convos_metrics"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_metrics_ended
SELECT *
FROM "convos_metrics_ended"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "first_utterance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- convos_summary_tags
SELECT *
FROM "convos_summary_tags"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id", "summary_tag_presented" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- csid_containment
SELECT *
FROM "csid_containment"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "csid" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- csid_containment_1d
SELECT *
FROM "csid_containment_1d"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "csid" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- customer_feedback
SELECT *
FROM "customer_feedback"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_subdivision", "company_segments", "last_rep_id", "question", "instance_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- customer_params
SELECT *
FROM "customer_params"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "event_id", "param_key" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- dim_queues
SELECT *
FROM "dim_queues"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "queue_key" ORDER BY "filename" DESC) = 1;

-- export_row_counts
SELECT *
FROM "export_row_counts"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "export_date", "export_job", "export_interval" ORDER BY "filename" DESC) = 1;

-- fact_convos_missed_ends
SELECT *
FROM "fact_convos_missed_ends"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "conversation_end_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- flow_completions
SELECT *
FROM "flow_completions"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "negation_event_ts" DESC NULLS LAST, "success_event_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- flow_detail
SELECT *
FROM "flow_detail"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "event_ts" ORDER BY "event_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- intents
SELECT *
FROM "intents"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "code", "name", "intent_type" ORDER BY "filename" DESC) = 1;

-- issue_callback_3d
SELECT *
FROM "issue_callback_3d"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- issue_omnichannel
SELECT *
FROM "issue_omnichannel"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "third_party_customer_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- issue_queues
SELECT *
FROM "issue_queues"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "queue_id", "enter_queue_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- issue_sentiment
SELECT *
FROM "issue_sentiment"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "created_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- issue_session_merge
SELECT *
FROM "issue_session_merge"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "session_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- issue_type
SELECT *
FROM "issue_type"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "customer_id", "issue_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- knowledge_base
SELECT *
FROM "knowledge_base"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id", "article_id", "event_ts" ORDER BY "event_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- live_agent_opportunities
SELECT *
FROM "live_agent_opportunities"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "customer_id", "opportunity_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- queue_check_ins
SELECT *
FROM "queue_check_ins"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "customer_id", "check_in_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- queue_membership_wfm
SELECT *
FROM "queue_membership_wfm"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "instance_ts", "company_id", "rep_id", "queue_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- queue_wfm
SELECT *
FROM "queue_wfm"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "instance_ts", "queue_name", "rep_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- quick_reply_buttons
SELECT *
FROM "quick_reply_buttons"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "final_intent_code", "quick_reply_button_text", "escalated_to_chat", "escalation_requested", "quick_reply_button_index" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- reps
SELECT *
FROM "reps"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "rep_id" ORDER BY "created_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_activity
SELECT *
FROM "rep_activity"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "instance_ts", "rep_id", "status_id", "in_status_starting_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_assignment_disposition
SELECT *
FROM "rep_assignment_disposition"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "company_id", "issue_id", "rep_id", "rep_assigned_ts" ORDER BY "rep_assigned_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_attributes
SELECT *
FROM "rep_attributes"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "rep_attribute_id", "rep_id", "created_ts" ORDER BY "created_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_augmentation
SELECT *
FROM "rep_augmentation"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_convos
SELECT *
FROM "rep_convos"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "rep_id", "issue_assigned_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- rep_hierarchy
SELECT *
FROM "rep_hierarchy"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "subordinate_agent_id", "superior_agent_id" ORDER BY "filename" DESC) = 1;

-- rep_utilized
SELECT *
FROM "rep_utilized"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "instance_ts", "rep_id", "desk_mode" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- sms_events
SELECT *
FROM "sms_events"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "sms_flow_id" ORDER BY "filename" DESC) = 1;

-- transfers
SELECT *
FROM "transfers"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "rep_id", "timestamp_req" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- utterances
SELECT *
FROM "utterances"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "sender_id", "created_ts" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;

-- voice_intents
SELECT *
FROM "voice_intents"
QUALIFY ROW_NUMBER() OVER (PARTITION BY "issue_id", "company_id" ORDER BY "instance_ts" DESC NULLS LAST, "filename" DESC) = 1;
