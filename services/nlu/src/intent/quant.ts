/**
 * int8 weights with one float32 scale per row (4× smaller than float32). The trainer rounds its
 * weights through this before calibrating, so the saved model is exactly the one measured.
 */
import type { NetWeights } from './nets.ts';

export function quantizeRows(w: Float32Array, width: number): { scale: Float32Array; data: Int8Array } {
  const rows = w.length / width;
  const scale = new Float32Array(rows);
  const data = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let k = r * width; k < (r + 1) * width; k++) max = Math.max(max, Math.abs(w[k]!));
    const s = Math.fround(max / 127);
    scale[r] = s;
    if (s > 0) for (let k = r * width; k < (r + 1) * width; k++) data[k] = Math.max(-127, Math.min(127, Math.round(w[k]! / s)));
  }
  return { scale, data };
}

export function dequantizeRows(q: { scale: Float32Array; data: Int8Array }, width: number): Float32Array {
  const w = new Float32Array(q.data.length);
  const rows = q.data.length / width;
  for (let r = 0; r < rows; r++) {
    const s = q.scale[r]!;
    for (let k = r * width; k < (r + 1) * width; k++) w[k] = q.data[k]! * s;
  }
  return w;
}

/** The net with its weight matrices rounded to int8-per-row precision (biases stay float32). */
export function roundWeights(net: NetWeights): NetWeights {
  const width1 = net.kind === 'mlp' ? net.hidden : net.classes;
  const w1 = dequantizeRows(quantizeRows(net.w1, width1), width1);
  return net.kind === 'mlp' ? { ...net, w1, w2: dequantizeRows(quantizeRows(net.w2!, net.classes), net.classes) } : { ...net, w1 };
}
