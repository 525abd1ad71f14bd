import { describe, expect, it } from 'vitest';
import { findSetCookie, parseSetCookie } from './set-cookie';

describe('parseSetCookie', () => {
  it('reads the session cookie the API sets', () => {
    const c = parseSetCookie('cc_session=abc.def=; HttpOnly; SameSite=Lax; Path=/; Secure; Max-Age=3600');
    expect(c).toEqual({
      name: 'cc_session',
      value: 'abc.def=',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 3600,
    });
  });

  it('rejects malformed headers and finds cookies by name', () => {
    expect(parseSetCookie('garbage')).toBeNull();
    const found = findSetCookie(['other=1; Path=/', 'cc_session=tok; Path=/'], 'cc_session');
    expect(found?.value).toBe('tok');
    expect(findSetCookie([], 'cc_session')).toBeNull();
  });
});
