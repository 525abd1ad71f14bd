import { readFileSync } from 'node:fs';
import { AppError, ValidationError, errorMessage } from '@cc/core';
import type { IntentExample } from './train.ts';

/** JSON lines of {text, intent}; blank lines skipped; a bad line is an error naming file and line. */
export function readExamplesJsonl(file: string): IntentExample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('file_missing', `Cannot read examples ${file}: ${errorMessage(err)}`);
  }
  const out: IntentExample[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new ValidationError(`examples file ${file}`, [{ path: `line ${i + 1}`, message: 'not valid JSON' }]);
    }
    const r = row as { text?: unknown; intent?: unknown };
    if (typeof r?.text !== 'string' || typeof r.intent !== 'string' || !r.intent.trim())
      throw new ValidationError(`examples file ${file}`, [{ path: `line ${i + 1}`, message: 'needs string fields "text" and "intent"' }]);
    out.push({ text: r.text, intent: r.intent });
  });
  return out;
}

