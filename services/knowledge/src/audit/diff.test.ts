import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.ts';

describe('diffLines', () => {
  it('shows removed and added lines between unchanged ones, with line numbers', () => {
    const d = diffLines('a\nb\nc\nd', 'a\nB\nc\nd\ne');
    expect(d.lines.map((l) => `${l.op[0]} ${l.text} ${l.oldLine ?? '-'}/${l.newLine ?? '-'}`)).toEqual(['e a 1/1', 'r b 2/-', 'a B -/2', 'e c 3/3', 'e d 4/4', 'a e -/5']);
    expect(d).toMatchObject({ added: 2, removed: 1, coarse: false });
  });

  it('handles empty and identical texts', () => {
    expect(diffLines('', '')).toEqual({ lines: [], added: 0, removed: 0, coarse: false });
    expect(diffLines('x\ny', 'x\ny')).toMatchObject({ added: 0, removed: 0 });
    expect(diffLines('', 'new').lines).toEqual([{ op: 'add', text: 'new', newLine: 1 }]);
  });

  it('falls back to one replacement when the changed middle is huge', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n');
    expect(diffLines(a, b)).toMatchObject({ added: 3000, removed: 3000, coarse: true });
  });
});
