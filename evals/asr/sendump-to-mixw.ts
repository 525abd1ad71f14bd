/**
 * Expands a PocketSphinx `sendump` (8-bit quantised mixture weights, as shipped by the Debian
 * pocketsphinx-en-us package) into a SphinxTrain `mixture_weights` file, which `bw` and `map_adapt`
 * need. Port of sphinxtrain's python/cmusphinx/sendump.py (Python 2, not runnable here):
 * each byte b stands for the weight 1.0001^-(b << mixw_shift).
 *
 * Usage: tsx evals/asr/sendump-to-mixw.ts <sendump> <mixture_weights-out>
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) throw new Error('usage: sendump-to-mixw.ts <sendump> <mixture_weights>');
const buf = readFileSync(src);
let pos = 0;
const u32 = () => {
  const v = buf.readUInt32LE(pos);
  pos += 4;
  return v;
};
const str = () => {
  const n = u32();
  if (n === 0) return null;
  const s = buf.subarray(pos, pos + n - 1).toString('latin1');
  pos += n;
  return s;
};
str(); // title
let mixwShift = 10;
let featureCount = 1;
let clusterCount = 0;
for (let h = str(); h !== null; h = str()) {
  const [k, v] = h.split(/\s+/);
  if (k === 'mixw_shift') mixwShift = Number(v);
  if (k === 'feature_count') featureCount = Number(v);
  if (k === 'cluster_count') clusterCount = Number(v);
}
if (clusterCount !== 0) throw new Error('clustered sendump not supported');
const nDensity = u32(); // rows: codewords
const nSen = u32(); // cols: senones
if (buf.length - pos !== featureCount * nDensity * nSen) throw new Error(`unexpected size: ${buf.length - pos} != ${featureCount}*${nDensity}*${nSen}`);

// Data order: for each feature, for each codeword, nSen bytes. Output order: [senone][feature][density].
const w = new Float32Array(nSen * featureCount * nDensity);
for (let f = 0; f < featureCount; f++)
  for (let d = 0; d < nDensity; d++)
    for (let s = 0; s < nSen; s++) {
      const b = buf[pos++]!;
      w[(s * featureCount + f) * nDensity + d] = Math.pow(1.0001, -(b << mixwShift));
    }
// Renormalise each (senone, feature) distribution (quantisation leaves the sums slightly off 1).
for (let i = 0; i < nSen * featureCount; i++) {
  let sum = 0;
  for (let d = 0; d < nDensity; d++) sum += w[i * nDensity + d]!;
  for (let d = 0; d < nDensity; d++) w[i * nDensity + d]! /= sum;
}

// SphinxTrain binary file: "s3\n", attributes, "endhdr\n" aligned to 4 bytes, byte-order mark,
// dims (n_mixw, n_feat, n_density), total count, float32 data, then the chksum0 checksum.
let header = 's3\nversion 1.0\nchksum0 yes\n';
const pad = (header.length + 'endhdr\n'.length) & 3;
header += `${pad ? ' '.repeat(4 - pad) : ''}endhdr\n`;
const dims = Buffer.alloc(20);
dims.writeInt32LE(0x11223344, 0);
dims.writeUInt32LE(nSen, 4);
dims.writeUInt32LE(featureCount, 8);
dims.writeUInt32LE(nDensity, 12);
dims.writeUInt32LE(w.length, 16);
const data = Buffer.from(w.buffer);
// chksum0 (sphinxbase bio.c): sum = (sum << 20 | sum >> 12) + word, over every 32-bit word read
// after the byte-order mark (dimensions, count and data).
let chk = 0;
for (const part of [dims.subarray(4), data])
  for (let i = 0; i < part.length; i += 4) chk = (((chk << 20) | (chk >>> 12)) + part.readUInt32LE(i)) >>> 0;
const tail = Buffer.alloc(4);
tail.writeUInt32LE(chk, 0);
writeFileSync(dst, Buffer.concat([Buffer.from(header, 'latin1'), dims, data, tail]));
console.log(`${dst}: ${nSen} senones x ${featureCount} streams x ${nDensity} densities`);
