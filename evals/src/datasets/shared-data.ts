import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@cc/core';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * The reference data beside the project (`../shared/data`), or SHARED_DATA_DIR. Evaluation and
 * benchmarks read it in place; what the product itself needs is copied into the project.
 */
export function sharedDataPath(...parts: string[]): string {
  const root = process.env.SHARED_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data');
  const path = join(root, ...parts);
  if (!existsSync(path)) {
    throw new AppError('dataset_missing', `Reference data not found: ${path}. Put the shared data beside the project (../shared/data) or set SHARED_DATA_DIR.`);
  }
  return path;
}
