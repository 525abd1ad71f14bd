-- Analytics tables. Columns match the zod row schemas in services/core/src/domain/analytics.ts,
-- plus `ingested_at`, the ReplacingMergeTree version column (the latest write of a row wins).
--
-- ORDER BY is both the primary index and the deduplication key:
--   tenant_id first, then the UTC day of the row's own time, so a per-tenant time-range query
--   reads only that tenant's days; then the row's natural key, so re-ingested copies of a row
--   collapse (on merge, or at read time with FINAL). The day is derived from a time that never
--   changes for a given row, so every copy of a row has the same key and lands in the same
--   monthly partition (ReplacingMergeTree only deduplicates within a partition).
--
-- non_replicated_deduplication_window keeps the hashes of the last 10000 inserted blocks, so an
-- insert retried with the same insert_deduplication_token is dropped on plain MergeTree too.
--
-- Every statement is idempotent (IF NOT EXISTS): ClickHouse DDL is not transactional, and a
-- migration that failed half-way is simply re-run.

CREATE TABLE IF NOT EXISTS turns
(
    tenant_id     LowCardinality(String),
    call_id       String,
    turn_index    UInt32,
    agent_version LowCardinality(String),
    speaker       LowCardinality(String),
    text_redacted String,
    intent        LowCardinality(String),
    confidence    Float64,
    started_at    DateTime64(3, 'UTC'),
    ended_at      DateTime64(3, 'UTC'),
    ingested_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant_id, toDate(started_at), call_id, turn_index)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS stage_latency
(
    tenant_id     LowCardinality(String),
    call_id       String,
    turn_index    UInt32,
    agent_version LowCardinality(String),
    stage         LowCardinality(String),
    started_at    DateTime64(3, 'UTC'),
    duration_ms   Float64,
    ingested_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant_id, toDate(started_at), call_id, turn_index, stage)
SETTINGS non_replicated_deduplication_window = 10000;

-- metric comes right after the day: dashboards always filter on one metric.
CREATE TABLE IF NOT EXISTS scores
(
    tenant_id         LowCardinality(String),
    call_id           String,
    turn_index        Int32,
    agent_version     LowCardinality(String),
    run_id            String,
    metric            LowCardinality(String),
    value             Float64,
    evaluator_version LowCardinality(String),
    details           String,
    scored_at         DateTime64(3, 'UTC'),
    ingested_at       DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(scored_at)
ORDER BY (tenant_id, toDate(scored_at), metric, run_id, call_id, turn_index, evaluator_version)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS call_events
(
    tenant_id     LowCardinality(String),
    call_id       String,
    seq           UInt32,
    agent_version LowCardinality(String),
    event_type    LowCardinality(String),
    at            DateTime64(3, 'UTC'),
    payload       String,
    ingested_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(at)
ORDER BY (tenant_id, toDate(at), call_id, seq)
SETTINGS non_replicated_deduplication_window = 10000;
