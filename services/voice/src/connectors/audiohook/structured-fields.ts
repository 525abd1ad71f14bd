/**
 * The parts of RFC 8941 (Structured Field Values for HTTP) that HTTP Message Signatures (RFC 9421)
 * needs: parsing Dictionaries whose members are Items or Inner Lists with Parameters, and the
 * canonical serialisation of Inner Lists and Items (the signature base is built from it).
 */
export type BareItem =
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'boolean'; value: boolean };

export type Parameters = Array<[string, BareItem]>;
export interface Item {
  kind: 'item';
  value: BareItem;
  params: Parameters;
}
export interface InnerList {
  kind: 'innerList';
  items: Item[];
  params: Parameters;
}
export type DictionaryMember = Item | InnerList;

export class StructuredFieldError extends Error {}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  fail(what: string): never {
    throw new StructuredFieldError(`${what} at position ${this.pos}`);
  }
  skipSP(): void {
    while (this.peek() === ' ') this.pos++;
  }
  skipOWS(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  key(): string {
    const start = this.pos;
    if (!/[a-z*]/.test(this.peek())) this.fail('expected a key');
    this.pos++;
    while (/[a-z0-9_\-.*]/.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === '-' || /[0-9]/.test(c)) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    if (/[A-Za-z*]/.test(c)) return this.token();
    return this.fail('expected a bare item');
  }

  number(): BareItem {
    let sign = 1;
    if (this.peek() === '-') {
      sign = -1;
      this.pos++;
    }
    if (!/[0-9]/.test(this.peek())) this.fail('expected a digit');
    const start = this.pos;
    let decimal = false;
    while (!this.done) {
      const c = this.peek();
      if (/[0-9]/.test(c)) this.pos++;
      else if (c === '.' && !decimal) {
        if (this.pos - start > 12) this.fail('decimal too long');
        decimal = true;
        this.pos++;
      } else break;
      if (!decimal && this.pos - start > 15) this.fail('integer too long');
      if (decimal && this.pos - start > 16) this.fail('decimal too long');
    }
    const text = this.s.slice(start, this.pos);
    if (decimal) {
      if (text.endsWith('.') || text.length - text.indexOf('.') - 1 > 3) this.fail('bad decimal');
      return { type: 'decimal', value: sign * Number(text) };
    }
    return { type: 'integer', value: sign * Number(text) };
  }

  string(): BareItem {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.done) this.fail('unterminated string');
      const c = this.s[this.pos++]!;
      if (c === '\\') {
        const next = this.s[this.pos++];
        if (next !== '"' && next !== '\\') this.fail('bad escape in string');
        out += next;
      } else if (c === '"') return { type: 'string', value: out };
      else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('bad character in string');
        out += c;
      }
    }
  }

  token(): BareItem {
    const start = this.pos;
    this.pos++;
    while (/[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(this.peek())) this.pos++;
    return { type: 'token', value: this.s.slice(start, this.pos) };
  }

  bytes(): BareItem {
    this.pos++;
    const end = this.s.indexOf(':', this.pos);
    if (end < 0) this.fail('unterminated byte sequence');
    const b64 = this.s.slice(this.pos, end);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) this.fail('bad base64 in byte sequence');
    this.pos = end + 1;
    return { type: 'bytes', value: new Uint8Array(Buffer.from(b64, 'base64')) };
  }

  boolean(): BareItem {
    this.pos++;
    const c = this.s[this.pos++];
    if (c === '1') return { type: 'boolean', value: true };
    if (c === '0') return { type: 'boolean', value: false };
    return this.fail('bad boolean');
  }

  parameters(): Parameters {
    const params: Parameters = [];
    while (this.peek() === ';') {
      this.pos++;
      this.skipSP();
      const key = this.key();
      let value: BareItem = { type: 'boolean', value: true };
      if (this.peek() === '=') {
        this.pos++;
        value = this.bareItem();
      }
      const existing = params.findIndex(([k]) => k === key);
      if (existing >= 0) params[existing] = [key, value];
      else params.push([key, value]);
    }
    return params;
  }

  item(): Item {
    const value = this.bareItem();
    return { kind: 'item', value, params: this.parameters() };
  }

  innerList(): InnerList {
    this.pos++; // (
    const items: Item[] = [];
    for (;;) {
      this.skipSP();
      if (this.peek() === ')') {
        this.pos++;
        return { kind: 'innerList', items, params: this.parameters() };
      }
      if (this.done) this.fail('unterminated inner list');
      items.push(this.item());
      const c = this.peek();
      if (c !== ' ' && c !== ')') this.fail('expected space or ) in inner list');
    }
  }

  member(): DictionaryMember {
    return this.peek() === '(' ? this.innerList() : this.item();
  }
}

/** Parse a Dictionary field value (RFC 8941 §4.2.2). Throws StructuredFieldError. */
export function parseDictionary(input: string): Map<string, DictionaryMember> {
  const p = new Parser(input.replace(/^ +| +$/g, ''));
  const dict = new Map<string, DictionaryMember>();
  if (p.done) return dict;
  for (;;) {
    const key = p.key();
    let member: DictionaryMember;
    if (p.peek() === '=') {
      p.pos++;
      member = p.member();
    } else {
      member = { kind: 'item', value: { type: 'boolean', value: true }, params: p.parameters() };
    }
    dict.set(key, member);
    p.skipOWS();
    if (p.done) return dict;
    if (p.peek() !== ',') p.fail('expected , between dictionary members');
    p.pos++;
    p.skipOWS();
    if (p.done) p.fail('trailing comma');
  }
}

export function serializeBareItem(b: BareItem): string {
  switch (b.type) {
    case 'integer':
      return String(Math.trunc(b.value));
    case 'decimal': {
      const s = (Math.round(b.value * 1000) / 1000).toString();
      return s.includes('.') ? s : `${s}.0`;
    }
    case 'string':
      return `"${b.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'token':
      return b.value;
    case 'bytes':
      return `:${Buffer.from(b.value).toString('base64')}:`;
    case 'boolean':
      return b.value ? '?1' : '?0';
  }
}

export function serializeParameters(params: Parameters): string {
  return params.map(([k, v]) => (v.type === 'boolean' && v.value ? `;${k}` : `;${k}=${serializeBareItem(v)}`)).join('');
}

export function serializeItem(item: { value: BareItem; params: Parameters }): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

export function serializeInnerList(list: { items: Item[]; params: Parameters }): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}
