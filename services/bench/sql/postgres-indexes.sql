create index on bench.turns (tenant_id, started_at);
create index on bench.stage_latency (tenant_id, started_at);
create index on bench.call_events (tenant_id, at);
create index on bench.scores (tenant_id, scored_at);
analyze;
