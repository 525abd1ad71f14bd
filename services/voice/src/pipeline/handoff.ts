/**
 * The warm-transfer context package handed to the human agent (simple for now: the dialogue
 * package's richer handoff and its Postgres storage replace it when they are wired in). All text in
 * it is redacted.
 */
export interface HandoffPackage {
  id: string;
  callId: string;
  tenantId: string;
  externalCallId: string;
  reason: string;
  /** The caller's last understood intent. */
  intent: string;
  slots: Record<string, string>;
  transcript: { speaker: 'caller' | 'agent'; text: string }[];
  summary: string;
  createdAt: string;
}

/** Stores a package and returns the id the transfer carries (`TransferRequest.contextId`). */
export interface HandoffStore {
  save(pkg: HandoffPackage): Promise<string>;
}

export class MemoryHandoffStore implements HandoffStore {
  readonly packages = new Map<string, HandoffPackage>();
  async save(pkg: HandoffPackage): Promise<string> {
    this.packages.set(pkg.id, pkg);
    return pkg.id;
  }
}
