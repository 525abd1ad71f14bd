import type { MediaTransport } from '../transport/media-transport.ts';
import { CallAdmission, type AdmissionStats } from './admission.ts';
import { CallSession, type CallSessionDeps, type CallSessionOptions, type CallSummary } from './call-session.ts';

/**
 * The voice runtime's per-process pipeline: one `CallSession` per call behind admission control.
 * `onCall` is what the connectors take (`attachConnectors(server, { onCall: pipeline.onCall })`).
 */
export interface VoicePipeline {
  readonly admission: CallAdmission;
  /** Runs one call to its end (refused calls are hung up with reason `over_capacity`). */
  onCall(transport: MediaTransport): Promise<void>;
  activeCalls(): number;
  stats(): AdmissionStats;
  /** Shutdown: end every call (each still emits its analytics) and wait for them. */
  stopAll(reason?: string): Promise<void>;
}

export interface VoicePipelineOptions extends CallSessionOptions {
  /** Concurrent calls this process takes; calls beyond are refused and counted. */
  maxConcurrentCalls: number;
  onCallEnded?: (summary: CallSummary) => void;
}

export function createVoicePipeline(deps: Omit<CallSessionDeps, 'transport' | 'admission'>, options: VoicePipelineOptions): VoicePipeline {
  const { maxConcurrentCalls, onCallEnded, ...sessionOptions } = options;
  const admission = new CallAdmission(maxConcurrentCalls);
  const live = new Map<CallSession, Promise<CallSummary>>();
  return {
    admission,
    async onCall(transport) {
      const session = new CallSession({ ...deps, transport, admission }, sessionOptions);
      const run = session.run();
      live.set(session, run);
      try {
        const summary = await run;
        onCallEnded?.(summary);
      } finally {
        live.delete(session);
      }
    },
    activeCalls: () => admission.stats.active,
    stats: () => admission.stats,
    async stopAll(reason = 'shutdown') {
      for (const session of live.keys()) session.stop(reason, 'failed');
      await Promise.allSettled([...live.values()]);
    },
  };
}
