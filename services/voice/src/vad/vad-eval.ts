/**
 * Frame-level scoring of VAD segments against a reference (RTTM `SPEAKER` lines). Every 10 ms frame
 * is speech or not in the reference (any speaker) and in the hypothesis; precision = TP / (TP + FP),
 * recall = TP / (TP + FN). No collar: boundary frames count like any other.
 */
export interface Segment {
  startMs: number;
  endMs: number;
}

export function parseRttm(text: string, fileId?: string): Segment[] {
  const out: Segment[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'SPEAKER' || f.length < 5) continue;
    if (fileId !== undefined && f[1] !== fileId) continue;
    const start = Number(f[3]);
    const dur = Number(f[4]);
    if (!Number.isFinite(start) || !Number.isFinite(dur) || dur < 0) throw new Error(`bad RTTM line: ${line}`);
    out.push({ startMs: start * 1000, endMs: (start + dur) * 1000 });
  }
  return out;
}

export interface FrameScores {
  frameMs: number;
  frames: number;
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  precision: number;
  recall: number;
  f1: number;
}

function rasterise(segments: readonly Segment[], frames: number, frameMs: number): Uint8Array {
  const out = new Uint8Array(frames);
  for (const s of segments) {
    // A frame is speech when its centre lies inside the segment.
    const a = Math.max(0, Math.ceil(s.startMs / frameMs - 0.5));
    const b = Math.min(frames, Math.ceil(s.endMs / frameMs - 0.5));
    out.fill(1, a, Math.max(a, b));
  }
  return out;
}

export function frameScores(reference: readonly Segment[], hypothesis: readonly Segment[], durationMs: number, frameMs = 10): FrameScores {
  const frames = Math.floor(durationMs / frameMs);
  const ref = rasterise(reference, frames, frameMs);
  const hyp = rasterise(hypothesis, frames, frameMs);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < frames; i++) {
    if (hyp[i] && ref[i]) tp++;
    else if (hyp[i]) fp++;
    else if (ref[i]) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { frameMs, frames, truePositive: tp, falsePositive: fp, falseNegative: fn, precision, recall, f1 };
}
