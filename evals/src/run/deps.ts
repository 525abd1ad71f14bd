import { NotFoundError, loadConfig, type Config, type Logger } from '@cc/core';
import { buildAgent } from '@cc/agent';
import type { GroundingSource } from '@cc/knowledge';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { getKbArticle, getKbArticleBySlug, listAgentVersions, type Database, type KbArticleWithVersions } from '@cc/store/postgres';
import type { EvalPrices, JobQueues } from '@cc/queue';
import { EvalInputError, type EvalCitation, type EvalDeps, type EvalEngine } from '@cc/worker';
import { datasetCallLoader, type EvalDataset } from './datasets.ts';

export interface EvalDepsInput {
  db: Database;
  analytics: AnalyticsStore;
  queues: JobQueues;
  logger: Logger;
  config?: Config;
  datasets?: EvalDataset[];
  prices?: EvalPrices;
}

/** `latest` → the tenant's newest agent version id; anything else is passed through as it is. */
export async function resolveAgentVersion(db: Database, tenantId: string, version: string): Promise<string> {
  if (version !== 'latest') return version;
  const [newest] = await listAgentVersions(db, tenantId);
  if (!newest) throw new EvalInputError(`tenant ${tenantId} has no agent version`);
  return newest.id;
}

/**
 * The evaluation processors' dependencies on Postgres and the dataset files: agent versions built once
 * per process (an unknown version is bad input), KB passages for the grounding check.
 */
export function evalDeps(input: EvalDepsInput): EvalDeps {
  const config = input.config ?? loadConfig({});
  const engines = new Map<string, Promise<EvalEngine>>();
  const agent = (tenantId: string, version: string): Promise<EvalEngine> => {
    const key = `${tenantId}:${version}`;
    let p = engines.get(key);
    if (!p) {
      p = buildAgent({ db: input.db, config, logger: input.logger }, tenantId, version).catch((err: unknown) => {
        engines.delete(key);
        if (err instanceof NotFoundError) throw new EvalInputError(`unknown agent version ${version}`);
        throw err;
      }) as Promise<EvalEngine>;
      engines.set(key, p);
    }
    return p;
  };

  const articles = new Map<string, Promise<KbArticleWithVersions | null>>();
  const article = (tenantId: string, c: EvalCitation) => {
    const key = `${tenantId}:${c.articleId}:${c.slug ?? ''}`;
    let p = articles.get(key);
    if (!p) {
      // The id may have been mangled by the redaction of ClickHouse details (digit runs): fall back to the slug.
      p = getKbArticle(input.db, tenantId, c.articleId)
        .catch(() => (c.slug ? getKbArticleBySlug(input.db, tenantId, c.slug) : null))
        .catch(() => null);
      articles.set(key, p);
    }
    return p;
  };
  const passages = async (tenantId: string, citations: readonly EvalCitation[]): Promise<GroundingSource[]> => {
    const out: GroundingSource[] = [];
    for (const c of citations) {
      const a = await article(tenantId, c);
      if (!a) continue;
      const v = c.version !== undefined ? a.versions.find((x) => x.version === c.version) : undefined;
      const body = v?.body ?? a.body;
      const span = c.start !== undefined && c.end !== undefined && c.end > c.start && c.end <= body.length ? body.slice(c.start, c.end) : body;
      out.push({ text: span, articleId: a.id, version: v?.version ?? c.version, context: v?.title ?? a.title });
    }
    return out;
  };

  return {
    analytics: input.analytics,
    queues: input.queues,
    loadCall: datasetCallLoader(input.datasets),
    agent,
    passages,
    ...(input.prices ? { prices: input.prices } : {}),
  };
}
