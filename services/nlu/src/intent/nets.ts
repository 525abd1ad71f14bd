/**
 * Small softmax classifiers over sparse rows, trained with minibatch Adam (lazy on sparse rows:
 * only rows a batch touches get their moments and weights updated), deterministic for a seed.
 * - linear: logits = x·W + b (multinomial logistic regression)
 * - mlp: logits = relu(x·W1 + b1)·W2 + b2 (one hidden layer, dropout on the hidden units)
 */
import { mulberry32 } from '@cc/core';
import type { SparseRow } from './features.ts';

/** Deterministic PRNG (mulberry32). */
export const prng = mulberry32;

export function shuffleInPlace<T>(a: T[] | Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

export interface NetSpec {
  kind: 'linear' | 'mlp';
  /** softmax cross-entropy, or one-vs-rest squared hinge (a linear SVM; scores, not probabilities). */
  loss: 'softmax' | 'sqhinge';
  hidden: number;
  epochs: number;
  /** Small data sets get more epochs: at least this many optimiser steps in all. */
  minSteps: number;
  batch: number;
  lr: number;
  /** Decoupled weight decay (per step, times lr). */
  weightDecay: number;
  labelSmoothing: number;
  dropout: number;
  /** Dropout on input features (whole features dropped, rest rescaled). */
  inputDropout: number;
  /** Class-balanced loss weights (inverse frequency, normalised to mean 1). */
  balanced: boolean;
  /** Learning-rate schedule over the run: constant, or linear decay to 0. */
  schedule: 'constant' | 'linear';
  /** Linear nets only: train this many nets (seeds seed, seed+1, …) and average their weights ("model soup"; same size and speed at inference). */
  soup: number;
  /** Average the weights snapshotted at the end of each epoch from this fraction of the run on (1 = off). */
  averageFrom: number;
  seed: number;
}

export const DEFAULT_NET: NetSpec = {
  kind: 'linear', loss: 'softmax', hidden: 0, epochs: 12, minSteps: 0, batch: 32, lr: 0.01, weightDecay: 0, labelSmoothing: 0, dropout: 0, inputDropout: 0, balanced: false, soup: 1, schedule: 'constant', averageFrom: 1, seed: 1,
};

/** Trained weights. linear: w1 = D×C, b1 = C. mlp: w1 = D×H, b1 = H, w2 = H×C, b2 = C. */
export interface NetWeights {
  kind: 'linear' | 'mlp';
  dim: number;
  hidden: number;
  classes: number;
  w1: Float32Array;
  b1: Float32Array;
  w2?: Float32Array;
  b2?: Float32Array;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

/** Adam state for one parameter block; `rows` of width `width`, updated lazily row by row. */
class AdamBlock {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly g: Float32Array;
  constructor(readonly w: Float32Array, readonly width: number) {
    this.m = new Float32Array(w.length);
    this.v = new Float32Array(w.length);
    this.g = new Float32Array(w.length);
  }
  stepRow(row: number, lrT: number, decay: number): void {
    const { w, m, v, g, width } = this;
    const o = row * width;
    for (let k = o; k < o + width; k++) {
      const gk = g[k]!;
      m[k] = B1 * m[k]! + (1 - B1) * gk;
      v[k] = B2 * v[k]! + (1 - B2) * gk * gk;
      w[k] = w[k]! * decay - (lrT * m[k]!) / (Math.sqrt(v[k]!) + EPS);
      g[k] = 0;
    }
  }
}

export function softmaxInPlace(z: Float32Array | Float64Array, n = z.length): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(z[i]! - max);
    z[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) z[i]! /= sum;
}

/** Logits of one row into `out` (length C); `hidden` scratch of length H for mlp. */
export function netLogits(net: NetWeights, x: SparseRow, out: Float32Array, hidden?: Float32Array): void {
  const C = net.classes;
  if (net.kind === 'linear') {
    out.set(net.b1);
    const { w1 } = net;
    for (let p = 0; p < x.idx.length; p++) {
      const o = x.idx[p]! * C;
      const v = x.val[p]!;
      for (let c = 0; c < C; c++) out[c]! += v * w1[o + c]!;
    }
    return;
  }
  const H = net.hidden;
  const h = hidden ?? new Float32Array(H);
  h.set(net.b1);
  for (let p = 0; p < x.idx.length; p++) {
    const o = x.idx[p]! * H;
    const v = x.val[p]!;
    for (let k = 0; k < H; k++) h[k]! += v * net.w1[o + k]!;
  }
  out.set(net.b2!);
  const w2 = net.w2!;
  for (let k = 0; k < H; k++) {
    const hk = h[k]!;
    if (hk <= 0) continue;
    const o = k * C;
    for (let c = 0; c < C; c++) out[c]! += hk * w2[o + c]!;
  }
}

/** Train a net on rows with labels 0..classes-1 (a soup of `spec.soup` linear nets when asked). */
export function trainNet(rows: SparseRow[], labels: Int32Array, dim: number, classes: number, spec: NetSpec, log?: (s: string) => void): NetWeights {
  const n = spec.kind === 'linear' ? Math.max(1, spec.soup) : 1;
  const first = trainOne(rows, labels, dim, classes, spec, log);
  for (let i = 1; i < n; i++) {
    const next = trainOne(rows, labels, dim, classes, { ...spec, seed: spec.seed + 7919 * i }, log);
    for (const [a, b] of [[first.w1, next.w1], [first.b1, next.b1]] as const) for (let k = 0; k < a.length; k++) a[k]! += (b[k]! - a[k]!) / (i + 1);
  }
  return first;
}

function trainOne(rows: SparseRow[], labels: Int32Array, dim: number, classes: number, spec: NetSpec, log?: (s: string) => void): NetWeights {
  const rand = prng(spec.seed);
  const C = classes;
  const mlp = spec.kind === 'mlp';
  const H = mlp ? spec.hidden : 0;
  const width1 = mlp ? H : C;
  const w1 = new Float32Array(dim * width1);
  const b1 = new Float32Array(width1);
  let w2: Float32Array | undefined;
  let b2: Float32Array | undefined;
  if (mlp) {
    const a1 = Math.sqrt(3) * 0.5; // input rows are L2-normalised: unit-variance-ish hidden units
    for (let i = 0; i < w1.length; i++) w1[i] = (rand() * 2 - 1) * a1;
    w2 = new Float32Array(H * C);
    const a2 = Math.sqrt(6 / (H + C));
    for (let i = 0; i < w2.length; i++) w2[i] = (rand() * 2 - 1) * a2;
    b2 = new Float32Array(C);
  }
  const net: NetWeights = mlp ? { kind: 'mlp', dim, hidden: H, classes: C, w1, b1, w2, b2 } : { kind: 'linear', dim, hidden: 0, classes: C, w1, b1 };
  const A1 = new AdamBlock(w1, width1);
  const Ab1 = new AdamBlock(b1, width1);
  const A2 = mlp ? new AdamBlock(w2!, C) : undefined;
  const Ab2 = mlp ? new AdamBlock(b2!, C) : undefined;

  const classWeight = new Float32Array(C).fill(1);
  if (spec.balanced) {
    const count = new Float64Array(C);
    for (const y of labels) count[y]!++;
    let mean = 0;
    let seen = 0;
    for (let c = 0; c < C; c++) if (count[c]! > 0) { classWeight[c] = 1 / count[c]!; mean += classWeight[c]!; seen++; }
    for (let c = 0; c < C; c++) classWeight[c] = count[c]! > 0 ? (classWeight[c]! * seen) / mean : 0;
  }

  const order = Int32Array.from(rows.keys());
  const stamp = new Int32Array(dim).fill(-1);
  const touched: number[] = [];
  const z = new Float64Array(C);
  const h = new Float64Array(H);
  const mask = new Float64Array(H);
  const dh = new Float64Array(H);
  let maxNnz = 0;
  for (const r of rows) maxNnz = Math.max(maxNnz, r.idx.length);
  const xi = new Int32Array(maxNnz);
  const xv = new Float64Array(maxNnz);
  let nx = 0;
  let t = 0;
  const eps = spec.labelSmoothing;
  const totalSteps = spec.epochs * Math.ceil(rows.length / spec.batch);
  const params = mlp ? [w1, b1, w2!, b2!] : [w1, b1];
  const avg = params.map((p) => new Float32Array(p.length));
  let snapshots = 0;
  const avgStart = Math.min(spec.epochs, Math.max(1, Math.ceil(spec.epochs * spec.averageFrom)));
  for (let epoch = 0; epoch < spec.epochs; epoch++) {
    shuffleInPlace(order, rand);
    let loss = 0;
    for (let start = 0; start < order.length; start += spec.batch) {
      const end = Math.min(order.length, start + spec.batch);
      const scale = 1 / (end - start);
      touched.length = 0;
      for (let q = start; q < end; q++) {
        const r = order[q]!;
        const row = rows[r]!;
        const y = labels[r]!;
        // input dropout (whole features)
        nx = 0;
        if (spec.inputDropout > 0) {
          const keep = 1 / (1 - spec.inputDropout);
          for (let p = 0; p < row.idx.length; p++) if (rand() >= spec.inputDropout) { xi[nx] = row.idx[p]!; xv[nx++] = row.val[p]! * keep; }
        } else {
          for (let p = 0; p < row.idx.length; p++) { xi[nx] = row.idx[p]!; xv[nx++] = row.val[p]!; }
        }
        // forward
        if (!mlp) {
          for (let c = 0; c < C; c++) z[c] = b1[c]!;
          for (let p = 0; p < nx; p++) {
            const o = xi[p]! * C;
            const v = xv[p]!;
            for (let c = 0; c < C; c++) z[c]! += v * w1[o + c]!;
          }
        } else {
          for (let k = 0; k < H; k++) h[k] = b1[k]!;
          for (let p = 0; p < nx; p++) {
            const o = xi[p]! * H;
            const v = xv[p]!;
            for (let k = 0; k < H; k++) h[k]! += v * w1[o + k]!;
          }
          const keep = 1 / (1 - spec.dropout);
          for (let k = 0; k < H; k++) {
            const on = h[k]! > 0 && (spec.dropout === 0 || rand() >= spec.dropout);
            mask[k] = on ? (spec.dropout > 0 ? keep : 1) : 0;
            h[k] = on ? h[k]! * mask[k]! : 0;
          }
          for (let c = 0; c < C; c++) z[c] = b2![c]!;
          for (let k = 0; k < H; k++) {
            const hk = h[k]!;
            if (hk === 0) continue;
            const o = k * C;
            for (let c = 0; c < C; c++) z[c]! += hk * w2![o + c]!;
          }
        }
        const cw = classWeight[y]! * scale;
        if (spec.loss === 'sqhinge') {
          for (let c = 0; c < C; c++) {
            const tc = c === y ? 1 : -1;
            const m = 1 - tc * z[c]!;
            loss += m > 0 ? m * m : 0;
            z[c] = m > 0 ? -2 * tc * m * cw : 0;
          }
        } else {
          softmaxInPlace(z);
          loss -= Math.log(Math.max(z[y]!, 1e-12));
          // dL/dz = p - target (label smoothing spreads eps over all classes), class-weighted
          for (let c = 0; c < C; c++) z[c] = (z[c]! - (c === y ? 1 - eps : 0) - eps / C) * cw;
        }
        if (!mlp) {
          for (let c = 0; c < C; c++) Ab1.g[c]! += z[c]!;
          for (let p = 0; p < nx; p++) {
            const j = xi[p]!;
            if (stamp[j] !== t) { stamp[j] = t; touched.push(j); }
            const o = j * C;
            const v = xv[p]!;
            for (let c = 0; c < C; c++) A1.g[o + c]! += v * z[c]!;
          }
        } else {
          for (let c = 0; c < C; c++) Ab2!.g[c]! += z[c]!;
          for (let k = 0; k < H; k++) {
            const hk = h[k]!;
            const o = k * C;
            let s = 0;
            for (let c = 0; c < C; c++) s += w2![o + c]! * z[c]!;
            dh[k] = s * mask[k]!;
            if (hk !== 0) for (let c = 0; c < C; c++) A2!.g[o + c]! += hk * z[c]!;
          }
          for (let k = 0; k < H; k++) Ab1.g[k]! += dh[k]!;
          for (let p = 0; p < nx; p++) {
            const j = xi[p]!;
            if (stamp[j] !== t) { stamp[j] = t; touched.push(j); }
            const o = j * H;
            const v = xv[p]!;
            for (let k = 0; k < H; k++) A1.g[o + k]! += v * dh[k]!;
          }
        }
      }
      const lr = spec.schedule === 'linear' ? spec.lr * (1 - t / totalSteps) : spec.lr;
      t++;
      const lrT = (lr * Math.sqrt(1 - Math.pow(B2, t))) / (1 - Math.pow(B1, t));
      const decay = 1 - lr * spec.weightDecay;
      for (const j of touched) A1.stepRow(j, lrT, decay);
      Ab1.stepRow(0, lrT, 1);
      if (mlp) {
        for (let k = 0; k < H; k++) A2!.stepRow(k, lrT, decay);
        Ab2!.stepRow(0, lrT, 1);
      }
    }
    if (spec.averageFrom < 1 && epoch + 1 >= avgStart) {
      snapshots++;
      for (let q = 0; q < params.length; q++) {
        const a = avg[q]!;
        const p = params[q]!;
        for (let i = 0; i < p.length; i++) a[i]! += (p[i]! - a[i]!) / snapshots;
      }
    }
    log?.(`    epoch ${epoch + 1}/${spec.epochs} loss ${(loss / rows.length).toFixed(4)}`);
  }
  if (snapshots > 0) for (let q = 0; q < params.length; q++) params[q]!.set(avg[q]!);
  return net;
}
