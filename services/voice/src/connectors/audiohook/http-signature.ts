import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeInnerList, serializeItem, StructuredFieldError, type BareItem, type DictionaryMember, type InnerList } from './structured-fields.ts';

/**
 * HTTP Message Signatures (RFC 9421), verifier side, HMAC-SHA256 only — what Genesys AudioHook uses
 * to sign the WebSocket upgrade request with the integration's client secret.
 *
 * The signature base is one line per covered component, `"<name>": <value>`, then
 * `"@signature-params": <the Signature-Input member, canonically serialised>`, joined by LF
 * (RFC 9421 §2.5). Supported derived components: @method, @authority, @scheme, @target-uri,
 * @request-target, @path, @query; header fields without component parameters.
 */
export interface SignatureParams {
  keyid?: string;
  alg?: string;
  created?: number;
  expires?: number;
  nonce?: string;
  tag?: string;
}

export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query (`req.url` in Node). */
  target: string;
  /** Host (and port) the client addressed; lower-cased for @authority. */
  authority: string;
  scheme: 'http' | 'https';
  /** Header fields with lower-case names. */
  headers: Record<string, string | string[] | undefined>;
}

export type KeyResolution = { key: Uint8Array; known: boolean } | { failure: string };

export interface VerifyOptions {
  /** Components the signature must cover. */
  required?: string[];
  /** Resolve the HMAC key from the signature parameters (keyid). */
  resolveKey(params: SignatureParams): Promise<KeyResolution> | KeyResolution;
  /** Epoch seconds; default now. */
  now?: number;
  /** Reject signatures whose `created` is older than this (seconds). 0 = no age limit. */
  maxAgeSeconds?: number;
  /** Allowed clock difference between signer and verifier (seconds). Default 5. */
  clockSkewSeconds?: number;
}

export type VerifyResult = { ok: true; label: string; params: SignatureParams } | { ok: false; code: 'unsigned' | 'invalid' | 'expired' | 'failed' | 'unsupported'; reason: string };

const DERIVED = new Set(['@method', '@authority', '@scheme', '@target-uri', '@request-target', '@path', '@query']);

export function canonicalFieldValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  // Trim and unfold (obs-fold), then combine multiple instances with ", " (RFC 9421 §2.1).
  return values.map((v) => v.trim().replace(/[ \t]*\r\n[ \t]+/g, ' ')).join(', ');
}

function fail(code: Exclude<VerifyResult, { ok: true }>['code'], reason: string): VerifyResult {
  return { ok: false, code, reason };
}

function derivedValue(name: string, req: SignedRequest): string | undefined {
  const q = req.target.indexOf('?');
  const path = q >= 0 ? req.target.slice(0, q) : req.target;
  const query = q >= 0 ? req.target.slice(q) : '?';
  switch (name) {
    case '@method':
      return req.method.toUpperCase();
    case '@authority':
      return req.authority.toLowerCase();
    case '@scheme':
      return req.scheme;
    case '@target-uri':
      return `${req.scheme}://${req.authority.toLowerCase()}${req.target}`;
    case '@request-target':
      return req.target;
    case '@path':
      return path || '/';
    case '@query':
      return query;
  }
  return undefined;
}

export async function verifyHttpSignature(req: SignedRequest, opts: VerifyOptions): Promise<VerifyResult> {
  const inputField = canonicalFieldValue(req.headers['signature-input']);
  const sigField = canonicalFieldValue(req.headers['signature']);
  if (!inputField && !sigField) return fail('unsigned', 'no Signature and Signature-Input header fields');
  if (!inputField || !sigField) return fail('invalid', 'Signature and Signature-Input must both be present');
  let inputs: Map<string, DictionaryMember>;
  let sigs: Map<string, DictionaryMember>;
  try {
    inputs = parseDictionary(inputField);
    sigs = parseDictionary(sigField);
  } catch (err) {
    return fail('invalid', `malformed signature header: ${err instanceof StructuredFieldError ? err.message : 'parse error'}`);
  }
  // One signature is expected; verify the first label that has both parts.
  const label = [...inputs.keys()].find((l) => sigs.has(l));
  if (!label) return fail('invalid', 'no Signature-Input label has a matching Signature');
  const input = inputs.get(label)!;
  const sig = sigs.get(label)!;
  if (input.kind !== 'innerList') return fail('invalid', 'Signature-Input member must be an inner list');
  if (sig.kind !== 'item' || sig.value.type !== 'bytes') return fail('invalid', 'Signature member must be a byte sequence');

  const params: SignatureParams = {};
  for (const [key, value] of input.params) {
    const asString = (v: BareItem) => (v.type === 'string' ? v.value : undefined);
    const asInt = (v: BareItem) => (v.type === 'integer' && v.value >= 0 ? v.value : undefined);
    switch (key) {
      case 'keyid':
      case 'alg':
      case 'nonce':
      case 'tag': {
        const s = asString(value);
        if (s === undefined) return fail('invalid', `signature parameter ${key} must be a string`);
        params[key] = s;
        break;
      }
      case 'created':
      case 'expires': {
        const n = asInt(value);
        if (n === undefined) return fail('invalid', `signature parameter ${key} must be a non-negative integer`);
        params[key] = n;
        break;
      }
      default:
        return fail('invalid', `unknown signature parameter ${key}`);
    }
  }
  if (params.alg !== undefined && params.alg !== 'hmac-sha256') return fail('unsupported', `signature algorithm ${params.alg} not supported`);

  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const skew = opts.clockSkewSeconds ?? 5;
  if (params.created !== undefined && params.created > now + skew) return fail('invalid', 'signature created in the future');
  if (params.expires !== undefined && params.expires < now - skew) return fail('expired', 'signature expired');
  if (opts.maxAgeSeconds) {
    if (params.created === undefined) return fail('invalid', 'signature has no created parameter');
    if (params.created + opts.maxAgeSeconds < now - skew) return fail('expired', 'signature too old');
  }

  const lines: string[] = [];
  const seen = new Set<string>();
  for (const component of input.items) {
    if (component.value.type !== 'string') return fail('invalid', 'covered components must be strings');
    const name = component.value.value;
    const id = serializeItem(component);
    if (seen.has(id)) return fail('invalid', `component ${id} listed twice`);
    seen.add(id);
    if (component.params.length > 0) return fail('unsupported', `component parameters not supported (${id})`);
    if (name !== name.toLowerCase()) return fail('invalid', `component names are lower case (${id})`);
    let value: string | undefined;
    if (name.startsWith('@')) {
      if (!DERIVED.has(name)) return fail(name === '@signature-params' ? 'invalid' : 'unsupported', `derived component ${name} not supported`);
      value = derivedValue(name, req);
    } else {
      value = canonicalFieldValue(req.headers[name]);
      if (value === undefined) return fail('invalid', `covered header ${name} not present`);
    }
    lines.push(`${id}: ${value}`);
  }
  const covered = new Set(input.items.map((i) => (i.value.type === 'string' ? i.value.value : '')));
  const missing = (opts.required ?? []).filter((r) => !covered.has(r));
  if (missing.length > 0) return fail('invalid', `signature does not cover ${missing.join(', ')}`);
  lines.push(`"@signature-params": ${serializeInnerList(input as InnerList)}`);
  const base = lines.join('\n');

  const resolved = await opts.resolveKey(params);
  if ('failure' in resolved) return fail('invalid', resolved.failure);
  const expected = createHmac('sha256', resolved.key).update(base, 'utf8').digest();
  const given = Buffer.from(sig.value.value);
  // Same work whether or not the key was known; a random key can never match.
  const match = given.length === expected.length && timingSafeEqual(given, expected);
  if (!match || !resolved.known) return fail('failed', 'signature does not match');
  return { ok: true, label, params };
}

/** A key that cannot verify anything, for unknown key ids (keeps the timing of the known-key path). */
export function decoyKey(): Uint8Array {
  return randomBytes(32);
}
