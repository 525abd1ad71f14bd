/** Routes reachable without a session. */
const PUBLIC_PATHS = new Set(['/sign-in', '/healthz']);

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.has(pathname.replace(/\/+$/, '') || '/');
}

/**
 * Where to go after signing in: only same-site absolute paths (no `//host`, no `/\host`, no scheme),
 * never back to the sign-in page itself. Anything else falls back to `/`.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f]/.test(next)) return '/';
  if (next === '/sign-in' || next.startsWith('/sign-in?')) return '/';
  return next;
}
