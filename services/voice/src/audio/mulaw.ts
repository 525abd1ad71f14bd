/**
 * G.711 μ-law, the codec Twilio Media Streams and Genesys AudioHook (PCMU) send at 8 kHz.
 * Table-driven both ways: this runs on every 20 ms frame of every call.
 */
const BIAS = 0x84;
const CLIP = 32635;

const decodeTable = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  decodeTable[i] = sign ? -magnitude : magnitude;
}

const encodeTable = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) {
  let sample = i - 32768;
  const sign = sample < 0 ? 0x80 : 0;
  if (sign) sample = -sample;
  if (sample > CLIP) sample = CLIP;
  sample += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  encodeTable[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function mulawToPcm16(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decodeTable[bytes[i]!]!;
  return out;
}

export function pcm16ToMulaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeTable[samples[i]! + 32768]!;
  return out;
}
