/**
 * Rewrites the `kind: "asr"` entries of models/manifest.json from the files under models/asr/
 * (one entry per file, so verifiedModelPath checks each one); other entries stay as they are.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoDir } from './lib/common.ts';

const modelsDir = process.env.MODELS_DIR ?? join(repoDir, 'models');
const asrDir = join(modelsDir, 'asr');
const recipe = process.env.ASR_RECIPE ?? '(see docs/asr.md)';

const PS = 'pocketsphinx-en-us 0.8+5prealpha+1-15 (Debian), /usr/share/pocketsphinx/model/en-us';
const SGD = 'Schema-Guided Dialogue (google-research-datasets/dstc8-schema-guided-dialogue), train split USER utterances, via /work/shared/data/dialogues/sgd';
const BSD = 'BSD-2-Clause, Carnegie Mellon University / Alpha Cephei Inc. (asr/LICENSE.pocketsphinx-en-us)';
const SA = 'CC BY-SA 4.0 (asr/LICENSE.sgd-cc-by-sa-4.0): treated as adapted material of the SGD corpus, share-alike, attribution Rastogi et al. 2020';

interface Entry {
  id: string;
  kind: string;
  path: string;
  format: string;
  source: string;
  licence: string;
  sha256: string;
  bytes: number;
  details: Record<string, unknown>;
}

function describe(rel: string): Omit<Entry, 'sha256' | 'bytes' | 'path'> {
  const base = rel.split('/').pop()!;
  if (rel.startsWith('asr/am/')) {
    const unchanged = ['mdef', 'noisedict'].includes(base);
    const adapted = ['means', 'variances', 'sendump', 'transition_matrices'].includes(base);
    return {
      id: `asr-am-en-us-telephone-${base.replace(/_/g, '-').replace(/\./g, '-')}`,
      kind: 'asr',
      format: base === 'feat.params' ? 'sphinx-feat-params' : base === 'noisedict' ? 'sphinx-noisedict' : base === 'mdef' ? 'sphinx-mdef-binary' : 'sphinx-s3-binary',
      source: unchanged
        ? `unmodified copy from ${PS}`
        : adapted
          ? `${PS}, adapted by evals/asr/adapt.sh (${recipe}) on telephone-band (8 kHz μ-law) speech synthesised by evals/asr/synth.ts with flite (kal, kal16, awb, rms) and espeak-ng from 4,000 ${SGD}`
          : `${PS} feat.params (unchanged: the model decodes 8 kHz audio upsampled to 16 kHz)`,
      licence: adapted ? `${BSD}; adaptation: ${SA}` : BSD,
      details: { model: 'en-us-telephone', type: 'PTM semi-continuous HMM (pocketsphinx)', input: '8 kHz telephone audio upsampled 2x to 16 kHz', role: base },
    };
  }
  if (rel === 'asr/lm/domain.lm.bin')
    return {
      id: 'asr-lm-domain',
      kind: 'asr',
      format: 'sphinx-lm-bin (trigram)',
      source: `built by evals/asr/build-lm.sh (IRSTLM 3-gram, improved shift-beta, sphinx_lm_convert) from ${SGD} (normalised by evals/asr/prepare-text.ts) and the demo KB article text (services/seed buildKbArticles: ABCD guidelines, MIT; project demo articles) and the project's contact-center control phrases (evals/asr/text/control-phrases.txt)`,
      licence: `${SA}; ABCD guideline text MIT (asr/LICENSE.abcd-mit)`,
      details: { order: 3, vocabulary: 'asr/lm/domain.dict' },
    };
  if (rel === 'asr/lm/domain.dict')
    return {
      id: 'asr-lm-domain-dict',
      kind: 'asr',
      format: 'cmu-dict',
      source: `evals/asr/build-lm.sh: pronunciations of the domain LM and slot-grammar words, copied from cmudict-en-us.dict of ${PS}`,
      licence: BSD,
      details: {},
    };
  if (rel.startsWith('asr/grammars/'))
    return {
      id: `asr-grammar-${base.replace(/\.gram$/, '')}`,
      kind: 'asr',
      format: 'jsgf',
      source: `written for this project (models/asr/grammars/${base})${base === 'yesno.gram' ? '; its wording follows the most frequent SGD AFFIRM caller turns' : ''}`,
      licence: 'project',
      details: {},
    };
  if (rel.startsWith('asr/LICENSE') || rel === 'asr/README.md')
    return { id: `asr-${base.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, kind: 'asr', format: 'text', source: 'licence/notice text', licence: 'n/a', details: {} };
  throw new Error(`no description for ${rel}`);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const manifestFile = join(modelsDir, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { models: Entry[] };
const others = manifest.models.filter((m) => m.kind !== 'asr');
const entries: Entry[] = walk(asrDir)
  .sort()
  .filter((p) => !p.endsWith('README.md') && !p.includes('/LICENSE'))
  .map((p) => {
    const rel = relative(modelsDir, p);
    const bytes = readFileSync(p);
    return { ...describe(rel), path: rel, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length } as Entry;
  })
  .map(({ id, kind, path, format, source, licence, sha256, bytes, details }) => ({ id, kind, path, format, source, licence, sha256, bytes, details }));
// Splice the text: other entries keep their exact text (and layout); asr entries are replaced.
const text = readFileSync(manifestFile, 'utf8');
const open = text.indexOf('[', text.indexOf('"models"'));
const spans: Array<[number, number]> = [];
let depth = 0;
let inString = false;
let start = -1;
let close = -1;
for (let i = open + 1; i < text.length; i++) {
  const c = text[i]!;
  if (inString) {
    if (c === '\\') i++;
    else if (c === '"') inString = false;
    continue;
  }
  if (c === '"') inString = true;
  else if (c === '{') {
    if (depth++ === 0) start = i;
  } else if (c === '}') {
    if (--depth === 0) spans.push([start, i + 1]);
  } else if (c === ']' && depth === 0) {
    close = i;
    break;
  }
}
if (close < 0) throw new Error('could not parse models/manifest.json');
const kept = spans.map(([a, b]) => text.slice(a, b)).filter((t) => (JSON.parse(t) as Entry).kind !== 'asr');
const inline = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(inline).join(', ')}]`
    : v && typeof v === 'object'
      ? Object.keys(v).length === 0
        ? '{}'
        : `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }`
      : JSON.stringify(v);
const entryText = (e: Entry) =>
  `{\n${Object.entries(e).map(([k, v]) => `      ${JSON.stringify(k)}: ${k === 'details' ? inline(v) : JSON.stringify(v)}`).join(',\n')}\n    }`;
const body = [...kept, ...entries.map(entryText)].map((t) => `    ${t}`).join(',\n');
const out = `${text.slice(0, open + 1)}\n${body}\n  ${text.slice(close)}`;
JSON.parse(out); // still valid JSON
if (others.length !== kept.length) throw new Error('manifest changed while reading it; run again');
writeFileSync(manifestFile, out);
console.log(`models/manifest.json: ${entries.length} asr entries, ${entries.reduce((a, e) => a + e.bytes, 0)} bytes`);
