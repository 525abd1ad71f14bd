/**
 * Browser softphone for the generic WebSocket connector: microphone → 16 kHz L16 frames → socket, and
 * the agent's frames → jitter buffer → speakers. Browser-only (Web Audio, getUserMedia, WebSocket).
 */
import { JitterBuffer } from './jitter-buffer';
import { Framer, floatToL16, l16ToFloat } from './pcm';
import { describeClose, describeEnd, parseServerMessage, type ClientMessage } from './protocol';
import { StreamingResampler } from './resample';

export const WIRE_RATE = 16000;
/** 20 ms frames on the wire. */
export const FRAME_SAMPLES = 320;

export type CallState = 'idle' | 'requesting-mic' | 'connecting' | 'in-call' | 'ended' | 'failed';

export interface SoftphoneEvents {
  onState(state: CallState, detail?: string): void;
  /** A line for the call log (server events, transfers, barge-ins). */
  onLog(line: string): void;
  /** Agent speaking or not (for a live indicator). */
  onAgentAudio?(speaking: boolean): void;
}

const CAPTURE_WORKLET = `
class CaptureProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) this.port.postMessage(ch.slice(0));
    return true;
  }
}
registerProcessor('cc-capture', CaptureProcessor);
`;

export function micErrorMessage(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Microphone permission was denied. Allow the microphone for this site and try again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found. Connect one and try again.';
  if (name === 'NotReadableError') return 'The microphone is in use by another application.';
  if (typeof navigator !== 'undefined' && !navigator.mediaDevices) return 'This page cannot use the microphone: open the console over HTTPS or on localhost.';
  return 'Could not open the microphone.';
}

export class Softphone {
  private ws: WebSocket | null = null;
  private ctx: AudioContext | null = null;
  private stream: MediaStream | null = null;
  private nodes: AudioNode[] = [];
  private muted = false;
  private started = false;
  private finished = false;
  private readonly framer = new Framer(FRAME_SAMPLES);
  private resampler: StreamingResampler | null = null;
  private playbackResampler: StreamingResampler | null = null;
  private jitter: JitterBuffer | null = null;
  private speaking = false;

  constructor(private readonly events: SoftphoneEvents) {}

  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  /**
   * Creates the AudioContext inside the user's click, before any await: browsers only let a context
   * created (or resumed) in a user gesture play sound.
   */
  prime(): void {
    if (this.ctx || typeof AudioContext === 'undefined') return;
    this.ctx = new AudioContext();
    void this.ctx.resume().catch(() => {});
  }

  async start(call: { url: string; token: string }): Promise<void> {
    this.events.onState('requesting-mic');
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('no mediaDevices', 'SecurityError');
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    } catch (err) {
      this.fail(micErrorMessage(err));
      return;
    }
    if (this.finished) {
      // Hung up while the permission prompt was open.
      this.stream.getTracks().forEach((t) => t.stop());
      return;
    }
    const ctx = this.ctx ?? new AudioContext();
    this.ctx = ctx;
    await ctx.resume().catch(() => {});
    this.resampler = new StreamingResampler(ctx.sampleRate, WIRE_RATE);
    this.playbackResampler = new StreamingResampler(WIRE_RATE, ctx.sampleRate);
    // 120 ms prebuffer absorbs network jitter; more than 3 s queued means we are falling behind.
    this.jitter = new JitterBuffer(Math.round(ctx.sampleRate * 0.12), ctx.sampleRate * 3);
    await this.setUpCapture(ctx, this.stream);
    if (this.finished) return;
    this.setUpPlayback(ctx);

    this.events.onState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(call.url);
    } catch {
      this.fail('The voice service address is invalid.');
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.send({ type: 'start', token: call.token, sampleRate: 16000, encoding: 'L16' });
    ws.onmessage = (e) => this.onMessage(e.data);
    ws.onclose = (e) => {
      if (this.finished) return;
      const msg = describeClose(e.code, e.reason, this.started);
      if (msg) this.fail(msg);
      else this.finish('Call ended.');
    };
  }

  /** Ends everything without reporting (page left, or the call never got its token). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.send({ type: 'stop' });
    this.teardown();
  }

  hangUp(): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.send({ type: 'stop' });
    this.finish(describeEnd('hangup'));
  }

  sendDtmf(digit: string): void {
    this.send({ type: 'dtmf', digit });
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      const samples = l16ToFloat(data);
      this.jitter?.push(this.playbackResampler!.process(samples));
      return;
    }
    const msg = parseServerMessage(String(data));
    if (!msg) return;
    switch (msg.type) {
      case 'started':
        this.started = true;
        this.events.onState('in-call', msg.callId);
        this.events.onLog(`Call ${msg.callId || ''} connected.`);
        break;
      case 'mark':
        this.jitter?.mark(msg.name);
        break;
      case 'clear': {
        // Barge-in: stop the agent at once, and tell the server its pending marks were reached.
        const pending = this.jitter?.clear() ?? [];
        this.playbackResampler?.reset();
        for (const name of pending) this.send({ type: 'mark', name });
        this.events.onLog('You interrupted the agent (barge-in): playback stopped.');
        break;
      }
      case 'transfer':
        this.events.onLog(`Transfer to ${msg.target ?? 'a human'}${msg.reason ? ` — ${msg.reason}` : ''}.`);
        break;
      case 'end':
        this.finish(describeEnd(msg.reason));
        break;
      case 'error':
        this.fail(msg.code === 'unauthorized' || /token/i.test(msg.message) ? 'The call token was refused or has expired. Start a new call.' : `The voice service reported an error: ${msg.message || msg.code}`);
        break;
    }
  }

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private sendAudio(input: Float32Array): void {
    if (!this.started || !this.ws || this.ws.readyState !== WebSocket.OPEN || !this.resampler) return;
    const samples = this.muted ? new Float32Array(input.length) : input;
    for (const frame of this.framer.push(this.resampler.process(samples))) this.ws.send(floatToL16(frame));
  }

  private async setUpCapture(ctx: AudioContext, stream: MediaStream): Promise<void> {
    const source = ctx.createMediaStreamSource(stream);
    this.nodes.push(source);
    if (ctx.audioWorklet) {
      try {
        const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: 'application/javascript' }));
        await ctx.audioWorklet.addModule(url);
        URL.revokeObjectURL(url);
        const node = new AudioWorkletNode(ctx, 'cc-capture');
        node.port.onmessage = (e: MessageEvent<Float32Array>) => this.sendAudio(e.data);
        source.connect(node);
        this.nodes.push(node);
        return;
      } catch {
        // Fall through to the ScriptProcessor.
      }
    }
    const proc = ctx.createScriptProcessor(2048, 1, 1);
    proc.onaudioprocess = (e) => this.sendAudio(e.inputBuffer.getChannelData(0));
    source.connect(proc);
    proc.connect(ctx.destination); // needed for onaudioprocess to fire; its output is silence
    this.nodes.push(proc);
  }

  private setUpPlayback(ctx: AudioContext): void {
    const proc = ctx.createScriptProcessor(1024, 1, 1);
    proc.onaudioprocess = (e) => {
      const out = e.outputBuffer.getChannelData(0);
      const { samples, marks } = this.jitter!.pull(out.length);
      out.set(samples);
      for (const name of marks) this.send({ type: 'mark', name });
      const speaking = this.jitter!.isPlaying;
      if (speaking !== this.speaking) {
        this.speaking = speaking;
        this.events.onAgentAudio?.(speaking);
      }
    };
    proc.connect(ctx.destination);
    this.nodes.push(proc);
  }

  private finish(message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.teardown();
    this.events.onState('ended', message);
  }

  private fail(message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.teardown();
    this.events.onState('failed', message);
  }

  private teardown(): void {
    for (const n of this.nodes) n.disconnect();
    this.nodes = [];
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    this.ws = null;
    void this.ctx?.close().catch(() => {});
    this.ctx = null;
    this.jitter?.clear();
  }
}
