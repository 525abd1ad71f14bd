import { AppError, errorMessage } from '@cc/core';
import { benchAnalytics } from './analytics/run.ts';
import { benchNlu } from './nlu/run.ts';
import { benchGrounding } from './grounding/run.ts';

/** `pnpm bench <name> [flags]`: progress on stderr, one JSON line of figures last on stdout. */
const benches: Record<string, (argv: string[], log: (line: string) => void) => Promise<object>> = {
  analytics: benchAnalytics,
  nlu: benchNlu,
  grounding: benchGrounding,
};

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  const bench = name ? benches[name] : undefined;
  if (!bench) {
    process.stderr.write(`Usage: pnpm bench <${Object.keys(benches).join('|')}> [flags]\n`);
    process.exit(2);
  }
  const log = (line: string) => process.stderr.write(line + '\n');
  const started = Date.now();
  const figures = await bench(argv, log);
  const machine = { cores: (await import('node:os')).availableParallelism(), memory_gb: Math.round((await import('node:os')).totalmem() / 2 ** 30) };
  process.stdout.write(JSON.stringify({ ...figures, machine, seconds: Math.round((Date.now() - started) / 1000) }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`Benchmark failed: ${err instanceof AppError ? err.message : errorMessage(err)}\n`);
  process.exit(1);
});
