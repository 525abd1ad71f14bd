import { describe, expect, it } from 'vitest';
import { isPublicPath, safeNext } from './paths';
import { isActive, navFor, NAV } from './nav';

describe('paths', () => {
  it('knows the public routes', () => {
    expect(isPublicPath('/sign-in')).toBe(true);
    expect(isPublicPath('/sign-in/')).toBe(true);
    expect(isPublicPath('/healthz')).toBe(true);
    expect(isPublicPath('/')).toBe(false);
    expect(isPublicPath('/system')).toBe(false);
  });

  it('only follows same-site paths after sign-in', () => {
    expect(safeNext('/kb?x=1')).toBe('/kb?x=1');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('/sign-in')).toBe('/');
    expect(safeNext('/a\nb')).toBe('/');
  });
});

describe('nav', () => {
  it('filters entries by role', () => {
    expect(navFor('admin').map((i) => i.label)).toContain('System');
    expect(navFor('agent').map((i) => i.label)).toEqual(['Overview', 'Knowledge base']);
  });

  it('marks the active entry', () => {
    expect(isActive(NAV.overview, '/')).toBe(true);
    expect(isActive(NAV.overview, '/kb')).toBe(false);
    expect(isActive(NAV.kb, '/kb/some-article')).toBe(true);
    expect(isActive(NAV.kb, '/kbx')).toBe(false);
  });
});
