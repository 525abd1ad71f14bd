/**
 * @cc/dialogue — the per-turn brain of the voice agent: a deterministic flow engine over the agent
 * version's flow definitions, governed LLM proposals, resilient actions, authentication gating and
 * the warm-transfer package. See docs/dialogue.md.
 */
export * from './ports.ts';
export { FlowCatalog, checkFlow, declaredSlots, placeholders, type FlowCatalogOptions } from './flows.ts';
export * from './state.ts';
export { DialogueEngine } from './engine.ts';
export { DialogueSession } from './session.ts';
export { spokenDigits } from './auth-turns.ts';
export {
  DEFAULT_SENSITIVE_FLOWS,
  type AgentVersionInput,
  type DecisionKind,
  type DialogueDeps,
  type DialogueOptions,
  type StageTimings,
  type StartSessionInput,
  type TurnDecision,
  type TurnInput,
} from './engine-types.ts';
export {
  DeterministicProposer,
  ProposalSchema,
  ProposerError,
  type NextStepProposer,
  type Proposal,
  type ProposalContext,
  type ProposalFlow,
  type ProposalType,
  type ProposeOptions,
  type ProposerFailure,
  type ProposerResult,
} from './proposer.ts';
export { ClaudeProposer, PROPOSER_TOOLS, buildProposerRequest, proposerFromConfig, toolCallToProposal, type ClaudeProposerOptions } from './claude.ts';
export { DialoguePolicy, type MaterialisedAnswer, type PolicyOptions, type PolicyRule, type PolicyState, type PolicyVerdict } from './policy.ts';
export { ResilientActionRunner, MemoryIdempotencyStore, type ActionResult, type CircuitStatus, type IdempotencyStore, type ResilienceOptions } from './resilience.ts';
export { DemoActionRunner, InMemoryCrm, DEMO_ACTIONS, customerZips, phoneDigits, type DemoActionRunnerOptions } from './demo-actions.ts';
export { HandoffPackageSchema, buildHandoffPackage, extractiveSummary, ESCALATION_DESCRIPTIONS, type HandoffPackage } from './handoff.ts';
export { auditEntryFor, MemoryAuditSink } from './audit.ts';
export { basicRedactor, checkInput, yesNo, wantsHuman, speakValue, fillTemplate, type InputProblem } from './text.ts';
