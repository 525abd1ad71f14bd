-- Offline evaluation runs (docs/evals.md): one row per run, rewritten as the run progresses; the
-- latest write wins (ReplacingMergeTree on updated_at), so read with FINAL. The run's per-call rows
-- live in turns / stage_latency / call_events (call_id = '<run_id>/<dataset call id>') and in scores
-- (run_id).
CREATE TABLE IF NOT EXISTS eval_runs
(
    run_id        String,
    tenant_id     LowCardinality(String),
    dataset       LowCardinality(String),
    agent_version LowCardinality(String),
    started_at    DateTime64(3, 'UTC'),
    calls         UInt32,
    status        LowCardinality(String),
    details       String,
    updated_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, run_id);
