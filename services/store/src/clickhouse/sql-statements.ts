/**
 * Split a migration file into statements on `;`, ignoring semicolons inside quotes ('...', "...",
 * `...`) and comments (line and block). Statements that are only comments are dropped.
 */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    let end = i + 1;
    if (ch === '-' && next === '-') {
      end = text.indexOf('\n', i);
      end = end === -1 ? text.length : end;
    } else if (ch === '/' && next === '*') {
      end = text.indexOf('*/', i + 2);
      end = end === -1 ? text.length : end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      end = quotedEnd(text, i);
      hasCode = true;
    } else if (ch === ';') {
      if (hasCode) statements.push(current.trim());
      current = '';
      hasCode = false;
      i++;
      continue;
    } else if (!/\s/.test(ch)) {
      hasCode = true;
    }
    current += text.slice(i, end);
    i = end;
  }
  if (hasCode) statements.push(current.trim());
  return statements;
}

/** Index just past the quote that closes the one at `start` (backslash escapes and doubled quotes). */
function quotedEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i++;
  }
  return text.length;
}

/** The first line of code in a statement, for error messages. */
export function statementPreview(statement: string): string {
  const firstCodeLine = statement.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('--')) ?? statement;
  const line = firstCodeLine.trim();
  return line.length > 100 ? `${line.slice(0, 100)}...` : line;
}
