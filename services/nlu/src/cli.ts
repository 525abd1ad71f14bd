/**
 * `tsx services/nlu/src/cli.ts <command>`:
 *   train --examples <jsonl with text,intent> --name <model-name> [--out models/intents]
 *         [--held-out <jsonl>] [--source <text>] [--licence <text>] [--models <dir>]
 *   train-demo [--name demo-tenant] [--models <dir>]   the demo tenant's model from @cc/seed's intent catalog
 *   classify --model <manifest id | artifact file> <text...>
 * Progress on stderr; the manifest entry (train) or the prediction (classify) as JSON on stdout.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, ValidationError, errorMessage, modelsDir } from '@cc/core';
import { checkOutput, loadIntentModelById, readIntentArtifact, trainingDataSha256, writeIntentArtifact } from './intent/artifact.ts';
import { demoExamples, DEMO_LICENCE, DEMO_MODEL_NAME, DEMO_SOURCE } from './intent/demo.ts';
import { readExamplesJsonl } from './intent/examples.ts';
import { trainIntentModel } from './intent/train.ts';

const log = (line: string) => process.stderr.write(line + '\n');

async function train(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      examples: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, 'held-out': { type: 'string' },
      source: { type: 'string' }, licence: { type: 'string' }, models: { type: 'string' },
    },
    strict: true,
  });
  if (!values.examples || !values.name) throw new ValidationError('train flags', [{ path: '--examples/--name', message: 'both are required' }]);
  const output = { modelsDir: values.models ? resolve(values.models) : modelsDir, outDir: values.out ? resolve(values.out) : undefined };
  checkOutput(values.name, output);
  const examples = readExamplesJsonl(values.examples);
  const heldOut = values['held-out'] ? readExamplesJsonl(values['held-out']) : undefined;
  const { model, report } = trainIntentModel(examples, { name: values.name, heldOut, log });
  const { file, entry } = writeIntentArtifact(model, { dataSha256: trainingDataSha256(examples), examples: examples.length, report }, {
    ...output,
    source: values.source ?? `trained by services/nlu from ${values.examples}`,
    licence: values.licence ?? 'same terms as the training examples',
  });
  log(`wrote ${file} (${entry.bytes} bytes)`);
  process.stdout.write(JSON.stringify(entry) + '\n');
}

async function trainDemo(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, models: { type: 'string' } }, strict: true });
  const output = { modelsDir: values.models ? resolve(values.models) : modelsDir };
  checkOutput(values.name ?? DEMO_MODEL_NAME, output);
  const examples = demoExamples();
  const { model, report } = trainIntentModel(examples, { name: values.name ?? DEMO_MODEL_NAME, log });
  const { file, entry } = writeIntentArtifact(model, { dataSha256: trainingDataSha256(examples), examples: examples.length, report }, {
    ...output,
    source: DEMO_SOURCE,
    licence: DEMO_LICENCE,
  });
  log(`wrote ${file} (${entry.bytes} bytes)`);
  process.stdout.write(JSON.stringify(entry) + '\n');
}

async function classify(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, options: { model: { type: 'string' }, models: { type: 'string' } }, allowPositionals: true, strict: true });
  const ref = values.model ?? `intent-${DEMO_MODEL_NAME}`;
  const model = ref.endsWith('.json') || ref.includes('/') ? readIntentArtifact(resolve(ref)) : await loadIntentModelById(ref, values.models ? resolve(values.models) : modelsDir);
  process.stdout.write(JSON.stringify(model.classify(positionals.join(' '))) + '\n');
}

const commands: Record<string, (argv: string[]) => Promise<void>> = { train, 'train-demo': trainDemo, classify };

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`Usage: tsx services/nlu/src/cli.ts <${Object.keys(commands).join('|')}> [flags]\n`);
    process.exit(2);
  }
  await command(argv);
}

main().catch((err) => {
  process.stderr.write(`nlu: ${err instanceof AppError ? err.message : errorMessage(err)}\n`);
  process.exit(1);
});
