/**
 * Sample-rate conversion between the phone's 8 kHz and the 16 kHz of wideband engines. Linear
 * interpolation with a short low-pass on the way down: cheap enough for every frame of every call,
 * and the telephone band (300–3400 Hz) survives it intact.
 */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input;
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
  const source = toRate < fromRate ? lowPass(input, toRate / fromRate) : input;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, source.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(source[i0]! * (1 - frac) + source[i1]! * frac);
  }
  return out;
}

/** A moving-average low-pass whose width follows the decimation ratio (anti-aliasing). */
function lowPass(input: Int16Array, ratio: number): Int16Array {
  const width = Math.max(1, Math.round(1 / ratio));
  if (width === 1) return input;
  const out = new Int16Array(input.length);
  let acc = 0;
  for (let i = 0; i < input.length; i++) {
    acc += input[i]!;
    if (i >= width) acc -= input[i - width]!;
    out[i] = Math.round(acc / Math.min(i + 1, width));
  }
  return out;
}
