-- The analytics rows mirrored into Postgres for the ClickHouse-vs-Postgres benchmark only.
-- Same columns as the ClickHouse tables, with the indexes a Postgres dashboard would need.
create schema if not exists bench;
drop table if exists bench.turns, bench.stage_latency, bench.call_events, bench.scores;

create table bench.turns (
  tenant_id text not null, call_id text not null, turn_index int not null, agent_version text not null,
  speaker text not null, text_redacted text not null, intent text not null, confidence double precision not null,
  started_at timestamptz not null, ended_at timestamptz not null
);
create table bench.stage_latency (
  tenant_id text not null, call_id text not null, turn_index int not null, agent_version text not null,
  stage text not null, started_at timestamptz not null, duration_ms double precision not null
);
create table bench.call_events (
  tenant_id text not null, call_id text not null, seq int not null, agent_version text not null,
  event_type text not null, at timestamptz not null, payload jsonb not null
);
create table bench.scores (
  tenant_id text not null, call_id text not null, turn_index int not null, agent_version text not null,
  run_id text not null, metric text not null, value double precision not null, evaluator_version text not null,
  details jsonb not null, scored_at timestamptz not null
);
