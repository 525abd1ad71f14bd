import { AppError, type Config, type Logger } from '@cc/core';
import { DemoActionRunner, DialogueEngine, auditEntryFor, proposerFromConfig, type AuditSink } from '@cc/dialogue';
import { DEMO_MODEL_ID, loadIntentModelById } from '@cc/nlu';
import { appendAudit, getAgentVersion, getKbArticle, listKbArticles, type Database } from '@cc/store/postgres';
import { intentClassifier, knowledgeAnswerer, postgresCrm, redactor, sentimentScorer, slotExtractor } from './adapters.ts';

export interface AgentDeps {
  db: Database;
  config: Pick<Config, 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL' | 'ANTHROPIC_MODEL'>;
  logger: Logger;
}

/** Dialogue decisions go to the tenant's append-only audit log. */
function postgresAuditSink(db: Database, tenantId: string, logger: Logger): AuditSink {
  return {
    record: async (event) => {
      try {
        await appendAudit(db, tenantId, auditEntryFor(event));
      } catch (err) {
        // A decision already taken must still be spoken: losing its audit row is logged loudly instead.
        logger.error({ err, callId: event.callId }, 'could not write a dialogue decision to the audit log');
      }
    },
  };
}

/**
 * A runnable agent version for a tenant: its flows, thresholds and prompts from Postgres, its intent
 * model from models/ (verified against the manifest), its knowledge base, the CRM, and the LLM
 * proposer when ANTHROPIC_API_KEY is set (the deterministic policy otherwise).
 */
export async function buildAgent(deps: AgentDeps, tenantId: string, agentVersionId: string): Promise<DialogueEngine> {
  const version = await getAgentVersion(deps.db, tenantId, agentVersionId);
  const modelIds = (version.modelIds ?? {}) as Record<string, string>;
  const intentModelId = modelIds.intent ?? DEMO_MODEL_ID;
  const model = await loadIntentModelById(intentModelId).catch((err) => {
    throw new AppError('agent_model_missing', `Agent version ${version.agentName}@${version.version} needs intent model ${intentModelId}: ${err instanceof Error ? err.message : err}`, { cause: err });
  });
  const summaries = await listKbArticles(deps.db, tenantId, { status: 'published' });
  const articles = await Promise.all(summaries.map((a) => getKbArticle(deps.db, tenantId, a.id)));
  const crm = postgresCrm(deps.db, tenantId);
  const prompts = (version.prompts ?? {}) as Record<string, string>;
  return new DialogueEngine(version as unknown as ConstructorParameters<typeof DialogueEngine>[0], {
    intents: intentClassifier(model),
    slots: slotExtractor,
    actions: new DemoActionRunner(crm),
    knowledge: knowledgeAnswerer(articles, version.kbSnapshotHash ?? undefined),
    sentiment: sentimentScorer,
    redactor,
    crm,
    audit: postgresAuditSink(deps.db, tenantId, deps.logger),
    proposer: proposerFromConfig(deps.config, prompts.system ?? ''),
  });
}
