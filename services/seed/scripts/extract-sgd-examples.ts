/**
 * Re-creates services/seed/data/sgd/sgd-intent-examples.jsonl from the SGD dialogue files.
 *
 *   npx tsx services/seed/scripts/extract-sgd-examples.ts [sgd-dir] [--per-intent 40]
 *
 * sgd-dir defaults to $SGD_DIR or /work/shared/data/dialogues/sgd and must hold train.jsonl,
 * dev.jsonl and test.jsonl (one SGD dialogue per line). The selection rule is documented in
 * src/sgd-examples.ts. The output is an adaptation of SGD (CC BY-SA 4.0): it stays under that
 * licence, next to its LICENSE.txt (see data/README.md).
 */
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PER_INTENT, ExampleSelector, SPLIT_ORDER, type SgdDialogueLike } from '../src/sgd-examples.ts';
import { SGD_EXAMPLES_FILE, SGD_SERVICES, dataUrl, loadSgdServices } from '../src/sources.ts';

function parseArgs(argv: string[]): { dir: string; perIntent: number } {
  let dir = process.env.SGD_DIR ?? '/work/shared/data/dialogues/sgd';
  let perIntent = DEFAULT_PER_INTENT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--per-intent') perIntent = Number(argv[++i]);
    else dir = arg;
  }
  if (!Number.isInteger(perIntent) || perIntent < 1) throw new Error('--per-intent must be a positive whole number');
  return { dir, perIntent };
}

async function main(): Promise<void> {
  const { dir, perIntent } = parseArgs(process.argv.slice(2));
  const selector = new ExampleSelector(SGD_SERVICES);
  for (const split of SPLIT_ORDER) {
    const file = join(dir, `${split}.jsonl`);
    if (!existsSync(file)) throw new Error(`missing ${file} (pass the SGD folder as the first argument)`);
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      if (!line.trim()) continue;
      selector.add(JSON.parse(line) as SgdDialogueLike, split);
      n++;
    }
    console.log(`${split}: ${n} dialogues read`);
  }
  const intentOrder = loadSgdServices().flatMap((s) => s.intents.map((i) => i.name));
  const examples = selector.select(perIntent, intentOrder);
  const out = fileURLToPath(dataUrl(SGD_EXAMPLES_FILE));
  writeFileSync(out, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');

  const counts = new Map<string, { n: number; split: string }>();
  for (const e of examples) {
    const key = `${e.service}/${e.intent}`;
    counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, split: e.split });
  }
  for (const [key, { n, split }] of counts) console.log(`${key.padEnd(36)} ${String(n).padStart(3)}  (${split})`);
  const missing = loadSgdServices().flatMap((s) => s.intents.map((i) => `${s.service_name}/${i.name}`)).filter((k) => !counts.has(k));
  if (missing.length) console.warn(`no examples for: ${missing.join(', ')}`);
  console.log(`wrote ${examples.length} examples to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
