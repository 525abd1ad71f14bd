-- name: containment_per_day
select date_trunc('day', at) as day,
       count(*) as calls,
       avg(case when payload->>'outcome' = 'contained' then 1 else 0 end) as containment,
       avg(case when payload->>'outcome' = 'escalated' then 1 else 0 end) as escalation,
       avg(case when payload->>'outcome' = 'abandoned' then 1 else 0 end) as abandonment
from bench.call_events
where tenant_id = $1 and at >= $2 and at < $3 and event_type = 'call_ended'
group by 1 order by 1;

-- name: intent_accuracy_per_intent
select details->>'intent' as intent, count(*) as scored, avg(value) as accuracy
from bench.scores
where tenant_id = $1 and scored_at >= $2 and scored_at < $3 and metric = 'intent_correct'
group by 1 order by 1;

-- name: stage_latency_p95
select stage,
       percentile_cont(0.5) within group (order by duration_ms) as p50_ms,
       percentile_cont(0.95) within group (order by duration_ms) as p95_ms,
       count(*) as samples
from bench.stage_latency
where tenant_id = $1 and started_at >= $2 and started_at < $3
group by 1 order by 1;
