import { asText, splitSentences, stripMarkdown } from './text.ts';

/**
 * The line structure of a KB article body (Markdown as built by @cc/seed: paragraphs, `##`
 * headings, numbered steps with nested bullets). Each non-blank line knows its heading and its
 * parent list item, so a bullet such as "return possible within the last 90 days" can be read
 * together with the "Bronze members:" bullet it sits under.
 */
export interface MdLine {
  /** Offsets of the line's content (after indentation) in the body. */
  start: number;
  end: number;
  /** Offset where the text starts after a list marker or heading hashes (= start for a paragraph). */
  textStart: number;
  kind: 'heading' | 'item' | 'para';
  indent: number;
  /** The line without Markdown markup. */
  plain: string;
  /** Index of the parent list item in the line array, or -1. */
  parent: number;
  /** Index of the heading the line sits under, or -1. */
  heading: number;
}

export function markdownLines(body: string): MdLine[] {
  const text = asText(body);
  const lines: MdLine[] = [];
  const stack: number[] = []; // open list items, by increasing indent
  let heading = -1;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl;
    const raw = text.slice(pos, lineEnd);
    const indent = raw.length - raw.trimStart().length;
    const content = raw.trim();
    if (content !== '') {
      const start = pos + indent;
      const end = start + content.length;
      if (/^#{1,6}\s/.test(content)) {
        stack.length = 0;
        lines.push({ start, end, textStart: start + (/^#{1,6}\s+/.exec(content)?.[0].length ?? 0), kind: 'heading', indent, plain: stripMarkdown(content), parent: -1, heading: -1 });
        heading = lines.length - 1;
      } else if (/^(?:[-*+]|\d+[.)])\s/.test(content)) {
        while (stack.length && lines[stack[stack.length - 1]!]!.indent >= indent) stack.pop();
        const parent = stack.length ? stack[stack.length - 1]! : -1;
        lines.push({ start, end, textStart: start + (/^(?:[-*+]|\d+[.)])\s+/.exec(content)?.[0].length ?? 0), kind: 'item', indent, plain: stripMarkdown(content), parent, heading });
        stack.push(lines.length - 1);
      } else {
        // A paragraph line; an indented continuation of a list item keeps the item as parent.
        const parent = indent > 0 && stack.length ? stack[stack.length - 1]! : -1;
        if (parent === -1) stack.length = 0;
        lines.push({ start, end, textStart: start, kind: 'para', indent, plain: stripMarkdown(content), parent, heading });
      }
    } else if (raw === '' && nl !== -1 && text[nl + 1] !== ' ' && !/^(?:[-*+]|\d+[.)])\s/.test(text.slice(nl + 1, nl + 4))) {
      // A blank line followed by an unindented non-item closes open lists.
      stack.length = 0;
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  return lines;
}

/** Plain text of a line's ancestors (parent items, then heading), nearest first. */
export function lineContext(lines: readonly MdLine[], index: number): string[] {
  const out: string[] = [];
  const line = lines[index];
  if (!line) return out;
  let p = line.parent;
  let guard = 0;
  while (p >= 0 && guard++ < 32) {
    const l = lines[p]!;
    out.push(l.plain);
    p = l.parent;
  }
  if (line.heading >= 0) out.push(lines[line.heading]!.plain);
  return out;
}

export interface PassageSpan {
  start: number;
  end: number;
  /** Heading of the section the passage is in ('' for the intro). */
  heading: string;
  /** Plain text of the list item a split passage continues ('' when not split). */
  context: string;
}

/**
 * Cut a Markdown body into passages: each paragraph, and each top-level list item together with
 * its nested items. A block longer than `maxChars` is cut between its child items; the chunks
 * after the first carry the block's first line as `context`. Headings are not passages of their
 * own; they label the passages below them.
 */
export function passageSpans(body: string, maxChars = 700): PassageSpan[] {
  const text = asText(body);
  const lines = markdownLines(text);
  const out: PassageSpan[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.kind === 'heading') {
      i++;
      continue;
    }
    const heading = line.heading >= 0 ? lines[line.heading]!.plain : '';
    // The block: this line and every following line that descends from it (or continues it).
    let j = i + 1;
    while (j < lines.length && descendsFrom(lines, j, i)) j++;
    const blockStart = line.start;
    const blockEnd = lines[j - 1]!.end;
    if (blockEnd - blockStart <= maxChars) {
      out.push({ start: blockStart, end: blockEnd, heading, context: '' });
    } else if (j - i === 1) {
      // One long line: cut between sentences.
      let chunk: { start: number; end: number } | undefined;
      for (const s of splitSentences(text.slice(blockStart, blockEnd), blockStart)) {
        if (chunk && s.end - chunk.start > maxChars) {
          out.push({ ...chunk, heading, context: '' });
          chunk = undefined;
        }
        chunk = chunk ? { start: chunk.start, end: s.end } : { start: s.start, end: s.end };
      }
      if (chunk) out.push({ ...chunk, heading, context: '' });
    } else {
      // Group the child blocks into chunks of at most maxChars; the head line opens the first.
      let chunkStart = i;
      let k = i + 1;
      while (k < j) {
        let m = k + 1;
        while (m < j && descendsFrom(lines, m, k)) m++;
        if (lines[m - 1]!.end - lines[chunkStart]!.start > maxChars && k > chunkStart) {
          out.push({ start: lines[chunkStart]!.start, end: lines[k - 1]!.end, heading, context: chunkStart === i ? '' : line.plain });
          chunkStart = k;
        }
        k = m;
      }
      out.push({ start: lines[chunkStart]!.start, end: blockEnd, heading, context: chunkStart === i ? '' : line.plain });
    }
    i = j;
  }
  return out;
}

function descendsFrom(lines: readonly MdLine[], j: number, ancestor: number): boolean {
  let p = lines[j]!.parent;
  let guard = 0;
  while (p >= 0 && guard++ < 32) {
    if (p === ancestor) return true;
    p = lines[p]!.parent;
  }
  return false;
}

/** A whole-line emphasised caption ("*Account Access: username, password ...*"): a label, not content. */
export function isCaption(raw: string): boolean {
  const t = raw.trim();
  return /^\*[^*].*[^*]\*$/.test(t) || /^_[^_].*[^_]_$/.test(t);
}
