import type { AuditSink, DecisionAuditEvent } from './ports.ts';

/**
 * Audit helpers. The lead wires `appendAudit` of @cc/store through `auditEntryFor`:
 *   { record: (e) => appendAudit(db, tenantId, auditEntryFor(e)) }
 */

/** The audit_log row (NewAuditEntry of @cc/store) for a dialogue decision. */
export function auditEntryFor(event: DecisionAuditEvent): {
  actorType: 'system';
  actorId: string;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
} {
  const { callId, ...details } = event;
  return {
    actorType: 'system',
    actorId: event.source === 'llm' && event.modelId ? `dialogue:${event.modelId}`.slice(0, 200) : 'dialogue',
    action: `dialogue.${event.kind}`,
    entityType: 'call',
    entityId: callId.slice(0, 200),
    details: JSON.parse(JSON.stringify(details)) as Record<string, unknown>,
  };
}

/** Keeps decisions in memory (tests, local runs). */
export class MemoryAuditSink implements AuditSink {
  readonly events: DecisionAuditEvent[] = [];
  record(event: DecisionAuditEvent): void {
    this.events.push(structuredClone(event));
  }
}
