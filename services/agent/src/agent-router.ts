import { AppError } from '@cc/core';
import { listAgentVersions } from '@cc/store/postgres';
import type { PolicyContext, PolicyReply, TurnPolicy } from '@cc/voice';
import { buildAgent, type AgentDeps } from './build-agent.ts';
import { DialogueTurnPolicy } from './dialogue-turn-policy.ts';

type GreetingContext = Omit<PolicyContext, 'source' | 'turnIndex'>;

export interface AgentRouterOptions {
  /** Which agent version takes this call; default: the tenant's newest published version. */
  chooseVersion?(tenantId: string, ctx: GreetingContext): Promise<string>;
}

/**
 * One voice pipeline serves every tenant: each call is routed to its tenant's agent version at the
 * greeting, and the choice is kept in the call's state. Built agents are cached per version (published
 * versions are immutable, so a cached agent never goes stale).
 */
export class AgentRouterPolicy implements TurnPolicy {
  readonly name = 'agent-router';
  private readonly agents = new Map<string, Promise<DialogueTurnPolicy>>();

  constructor(
    private readonly deps: AgentDeps,
    private readonly opts: AgentRouterOptions = {},
  ) {}

  async greeting(ctx: GreetingContext): Promise<PolicyReply> {
    const versionId = await this.choose(ctx);
    ctx.state.agentVersionId = versionId;
    return (await this.agent(ctx.tenantId, versionId)).greeting(ctx);
  }

  async respond(text: string, ctx: PolicyContext): Promise<PolicyReply> {
    const versionId = typeof ctx.state.agentVersionId === 'string' ? ctx.state.agentVersionId : await this.choose(ctx);
    ctx.state.agentVersionId = versionId;
    return (await this.agent(ctx.tenantId, versionId)).respond(text, ctx);
  }

  private async choose(ctx: GreetingContext): Promise<string> {
    if (this.opts.chooseVersion) return this.opts.chooseVersion(ctx.tenantId, ctx);
    const [latest] = await listAgentVersions(this.deps.db, ctx.tenantId, { status: 'published' });
    if (!latest) throw new AppError('no_published_agent', `Tenant ${ctx.tenantId} has no published agent version to answer calls`);
    return latest.id;
  }

  private agent(tenantId: string, versionId: string): Promise<DialogueTurnPolicy> {
    const key = `${tenantId}:${versionId}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = buildAgent(this.deps, tenantId, versionId).then((engine) => new DialogueTurnPolicy(engine));
      // A failed build is not cached: the next call retries it.
      agent.catch(() => this.agents.delete(key));
      this.agents.set(key, agent);
    }
    return agent;
  }
}
