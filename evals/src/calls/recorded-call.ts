import { encodeWav, type WavEncoding } from '@cc/voice';
import type { Dialogue, DialogueAction } from '../datasets/sgd.ts';
import { speak, type FliteVoice } from './synthesize.ts';

export interface RecordedCallOptions {
  callerVoice: FliteVoice;
  agentVoice: FliteVoice;
  sampleRate: 8000 | 16000;
  encoding: WavEncoding;
  /** Silence between turns, as on a real line. */
  gapMs: number;
}

export const telephoneCall: RecordedCallOptions = { callerVoice: 'slt', agentVoice: 'kal', sampleRate: 8000, encoding: 'mulaw', gapMs: 400 };

/** Ground truth stored beside each recording: who spoke when, what was said, and the annotations. */
export interface CallLabels {
  callId: string;
  source: string;
  licence: string;
  sampleRate: number;
  channels: ['caller', 'agent'];
  turns: { index: number; speaker: 'caller' | 'agent'; text: string; startMs: number; endMs: number; intent?: string; slots?: Record<string, string[]>; actions: DialogueAction[] }[];
}

/**
 * A stereo recording of an SGD dialogue — caller on channel 0, agent on channel 1, each turn spoken
 * by its own flite voice in turn order — with its labels. Reproducible: the same dialogue and
 * options give the same bytes.
 */
export async function recordDialogue(dialogue: Dialogue, opts: RecordedCallOptions = telephoneCall): Promise<{ wav: Uint8Array; labels: CallLabels }> {
  const rate = opts.sampleRate;
  const gap = Math.round((opts.gapMs / 1000) * rate);
  const clips = await Promise.all(dialogue.turns.map((t) => speak(t.text, t.speaker === 'caller' ? opts.callerVoice : opts.agentVoice, rate)));
  const total = clips.reduce((n, c) => n + c.length + gap, gap);
  const caller = new Int16Array(total);
  const agent = new Int16Array(total);
  const turns: CallLabels['turns'] = [];
  let at = gap;
  dialogue.turns.forEach((t, i) => {
    const clip = clips[i]!;
    (t.speaker === 'caller' ? caller : agent).set(clip, at);
    turns.push({
      index: t.index,
      speaker: t.speaker,
      text: t.text,
      startMs: Math.round((at / rate) * 1000),
      endMs: Math.round(((at + clip.length) / rate) * 1000),
      ...(t.intent ? { intent: t.intent } : {}),
      ...(t.slots ? { slots: t.slots } : {}),
      actions: t.actions,
    });
    at += clip.length + gap;
  });
  return {
    wav: encodeWav([caller, agent], rate, opts.encoding),
    labels: { callId: `sgd-${dialogue.split}-${dialogue.id}`, source: `SGD ${dialogue.split} ${dialogue.id}`, licence: 'CC BY-SA 4.0 (adapted from the Schema-Guided Dialogue dataset)', sampleRate: rate, channels: ['caller', 'agent'], turns },
  };
}
