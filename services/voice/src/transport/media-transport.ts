import type { Connector } from '@cc/core';

/**
 * The seam between a CCaaS connector (Twilio Media Streams, Genesys AudioHook, the generic
 * WebSocket) and the voice pipeline. A connector speaks its wire protocol and turns it into these
 * events and calls; the pipeline never sees protocol details. Audio crosses it as 16-bit PCM at the
 * call's sample rate; encoding to μ-law or L16 on the wire is the connector's job.
 */
export interface CallInfo {
  /** The platform's call id. */
  callId: string;
  connector: Connector;
  /** The CCaaS side's ids (Twilio callSid/streamSid, Genesys conversationId/session id). */
  externalCallId: string;
  /** Caller number (ANI) when the CCaaS provides it. */
  from?: string;
  to?: string;
  /** The tenant the connection authenticated as. */
  tenantId: string;
  /** Parameters the CCaaS flow passed in (Twilio <Parameter>, AudioHook customConfig / inputVariables). */
  parameters: Record<string, string>;
  sampleRate: 8000 | 16000;
  /** AudioHook sends the caller (external) and the human agent (internal) on two channels. */
  channels: readonly AudioChannel[];
}

export type AudioChannel = 'caller' | 'agent';

export type InboundMedia =
  | { type: 'audio'; channel: AudioChannel; pcm: Int16Array; atMs: number }
  | { type: 'dtmf'; digit: string; atMs: number }
  /** Playback of audio sent before `mark(name)` has finished on the CCaaS side. */
  | { type: 'mark'; name: string; atMs: number }
  | { type: 'paused'; atMs: number }
  | { type: 'resumed'; atMs: number }
  | { type: 'ended'; reason: string; atMs: number };

export interface TransferRequest {
  /** Where the CCaaS should route the call (queue, number or flow, connector-specific). */
  target: string;
  reason: string;
  /** Id of the stored warm-transfer context package the human agent's screen shows. */
  contextId: string;
  /** Small key/values the CCaaS passes on (Genesys output variables, Twilio redirect parameters). */
  variables: Record<string, string>;
}

export interface MediaTransport {
  readonly call: CallInfo;
  /** Inbound media and events, in order, until the call ends. */
  inbound(): AsyncIterable<InboundMedia>;
  /** Queue agent audio for playback (PCM at `call.sampleRate`). */
  sendAudio(pcm: Int16Array): void;
  /** Ask to be told (an inbound `mark`) when playback reaches this point. */
  mark(name: string): void;
  /** Barge-in: drop every bit of agent audio the CCaaS has buffered. */
  clear(): void;
  /** Hand the call to a human with its context (Twilio call update/redirect, AudioHook disconnect with output variables). */
  transfer(request: TransferRequest): Promise<void>;
  hangup(reason: string): Promise<void>;
}
