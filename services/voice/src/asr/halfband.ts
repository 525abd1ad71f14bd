/**
 * 2× sample-rate conversion with a Kaiser-windowed-sinc half-band FIR (48 taps per phase,
 * β = 8: about −80 dB stop band), for feeding 8 kHz telephone audio to a recogniser whose front end
 * runs at 16 kHz. Linear interpolation is not good enough here: its images of the 0–4 kHz band land
 * in 4–8 kHz, where the acoustic model (adapted on cleanly upsampled audio) expects nothing.
 */

const HALF_TAPS = 24;
const BETA = 8;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/** Taps for the odd (half-sample) phase: g[j] for offsets j − 0.5, j = −HALF_TAPS+1 … HALF_TAPS. */
const ODD_PHASE = (() => {
  const g = new Float64Array(2 * HALF_TAPS);
  const span = HALF_TAPS; // half-width of the window in input samples
  for (let i = 0; i < g.length; i++) {
    const t = i - HALF_TAPS + 0.5; // distance from the output point in input samples
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const r = t / span;
    const w = Math.abs(r) <= 1 ? besselI0(BETA * Math.sqrt(1 - r * r)) / besselI0(BETA) : 0;
    g[i] = sinc * w;
  }
  const sum = g.reduce((a, b) => a + b, 0);
  for (let i = 0; i < g.length; i++) g[i]! /= sum;
  return g;
})();

const clip = (v: number) => (v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v));

/** 8 kHz → 16 kHz (any rate → twice it). Output length is exactly 2 × input length. */
export function upsample2x(input: Int16Array): Int16Array {
  const n = input.length;
  const out = new Int16Array(2 * n);
  for (let k = 0; k < n; k++) {
    out[2 * k] = input[k]!;
    // y[2k+1] sits halfway between x[k] and x[k+1].
    let acc = 0;
    for (let i = 0; i < ODD_PHASE.length; i++) {
      const j = k + i - HALF_TAPS + 1;
      if (j >= 0 && j < n) acc += ODD_PHASE[i]! * input[j]!;
    }
    out[2 * k + 1] = clip(acc);
  }
  return out;
}

/** 16 kHz → 8 kHz (any rate → half of it): half-band low-pass, then every other sample. */
export function downsample2x(input: Int16Array): Int16Array {
  const n = Math.floor(input.length / 2);
  const out = new Int16Array(n);
  for (let k = 0; k < n; k++) {
    // Half-band filter centred on input[2k]: centre tap 1/2, odd-offset taps ODD_PHASE / 2.
    let acc = 0.5 * input[2 * k]!;
    for (let i = 0; i < ODD_PHASE.length; i++) {
      const j = 2 * k + 2 * (i - HALF_TAPS) + 1;
      if (j >= 0 && j < input.length) acc += 0.5 * ODD_PHASE[i]! * input[j]!;
    }
    out[k] = clip(acc);
  }
  return out;
}
