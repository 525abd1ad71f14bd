/** A parsed `Set-Cookie` header: just what the console needs to re-issue the session cookie. */
export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
}

/** Parse one `Set-Cookie` header value (RFC 6265 §5.2, lenient). Returns null when malformed. */
export function parseSetCookie(header: string): SetCookie | null {
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const cookie: SetCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
  };
  for (const attr of attrs) {
    const [rawKey = '', ...rest] = attr.split('=');
    const key = rawKey.trim().toLowerCase();
    const val = rest.join('=').trim();
    if (key === 'path') cookie.path = val;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) cookie.maxAge = Number(val);
    else if (key === 'expires' && !Number.isNaN(Date.parse(val))) cookie.expires = new Date(val);
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      if (v === 'lax' || v === 'strict' || v === 'none') cookie.sameSite = v;
    }
  }
  return cookie;
}

/** Find the cookie called `name` among several `Set-Cookie` headers. */
export function findSetCookie(headers: readonly string[], name: string): SetCookie | null {
  for (const h of headers) {
    const c = parseSetCookie(h);
    if (c?.name === name) return c;
  }
  return null;
}
