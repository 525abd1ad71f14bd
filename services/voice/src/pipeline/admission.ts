import { AppError } from '@cc/core';

/**
 * Admission control: at most `maxConcurrentCalls` calls per process. A call over the limit is
 * refused before any of its audio is processed (the connector answers it with its protocol's
 * refusal, or the session hangs up with reason `over_capacity`) and counted; calls in progress are
 * never affected.
 */
export interface AdmissionStats {
  max: number;
  active: number;
  admitted: number;
  refused: number;
}

export interface AdmissionLease {
  readonly callId: string;
  /** Idempotent. */
  release(): void;
}

export class CallAdmission {
  private readonly active = new Map<string, AdmissionLease>();
  private admitted = 0;
  private refused = 0;

  constructor(readonly maxConcurrentCalls: number) {
    if (!Number.isInteger(maxConcurrentCalls) || maxConcurrentCalls < 0) throw new RangeError(`maxConcurrentCalls must be a whole number ≥ 0, got ${maxConcurrentCalls}`);
  }

  /** A lease for the call, or undefined (counted as refused) when the process is full or the call is already in. */
  tryAcquire(callId: string): AdmissionLease | undefined {
    if (this.active.size >= this.maxConcurrentCalls || this.active.has(callId)) {
      this.refused++;
      return undefined;
    }
    let released = false;
    const lease: AdmissionLease = {
      callId,
      release: () => {
        if (released) return;
        released = true;
        if (this.active.get(callId) === lease) this.active.delete(callId);
      },
    };
    this.active.set(callId, lease);
    this.admitted++;
    return lease;
  }

  get stats(): AdmissionStats {
    return { max: this.maxConcurrentCalls, active: this.active.size, admitted: this.admitted, refused: this.refused };
  }
}

export class CallRefusedError extends AppError {
  constructor(callId: string, stats: AdmissionStats) {
    super('over_capacity', `Call ${callId} refused: ${stats.active} of ${stats.max} calls in progress`, { status: 503, context: { callId, ...stats } });
  }
}
