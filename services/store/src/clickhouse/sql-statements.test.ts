import { describe, expect, it } from 'vitest';
import { splitSqlStatements, statementPreview } from './sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons outside quotes and comments, dropping comment-only statements', () => {
    const text = `-- header; not a statement
CREATE TABLE a (s String DEFAULT 'x;y', t String DEFAULT 'it\\'s;') ENGINE = Memory;
/* block; comment */
ALTER TABLE a COMMENT COLUMN s 'a "b;" c';
-- trailing comment;
`;
    expect(splitSqlStatements(text)).toEqual([
      "-- header; not a statement\nCREATE TABLE a (s String DEFAULT 'x;y', t String DEFAULT 'it\\'s;') ENGINE = Memory",
      `/* block; comment */\nALTER TABLE a COMMENT COLUMN s 'a "b;" c'`,
    ]);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitSqlStatements('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('previews the first line of code', () => {
    expect(statementPreview('-- why\nCREATE TABLE IF NOT EXISTS turns\n(\n  a UInt8\n)')).toBe('CREATE TABLE IF NOT EXISTS turns');
  });
});
