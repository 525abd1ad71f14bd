import { Role } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { DemoTenantSchema, buildDemoTenant } from './demo-tenant.ts';
import { contentHash } from './util.ts';
import { kbSnapshotHash } from './kb-articles.ts';

describe('buildDemoTenant', () => {
  const demo = buildDemoTenant();

  it('validates and holds every part', () => {
    expect(DemoTenantSchema.safeParse(demo).success).toBe(true);
    expect(demo.tenant.slug).toBe('demo');
    expect(demo.users.map((u) => u.role)).toEqual(Role.options);
    expect(demo.users.map((u) => u.email)).toContain('admin@demo.local');
    expect(demo.users.every((u) => !('password' in u))).toBe(true);
    expect(demo.passwordNote).toMatch(/seed time/);
    expect(demo.kbArticles).toHaveLength(58);
    expect(demo.customers).toHaveLength(200);
  });

  it('defines the initial agent version', () => {
    const v = demo.agentVersion;
    expect(v).toMatchObject({ agentName: 'demo-agent', version: '1.0.0', thresholds: { intent_confidence: 0.6 } });
    expect(v.modelIds).toEqual({ llm: 'claude-sonnet-4-5', asr: 'pocketsphinx-en-us', tts: 'flite-slt', intent: 'intent-demo-tenant' });
    expect(Object.keys(v.flows)).toHaveLength(73);
    expect(v.flows['banks.transfer_money']?.transactional).toBe(true);
    expect(v.intents.map((i) => i.name).sort()).toEqual(Object.keys(v.flows).sort());
  });

  it('carries content hashes that match their content and are stable', () => {
    const v = demo.agentVersion;
    expect(v.promptHash).toBe(contentHash(v.prompts));
    expect(v.flowsHash).toBe(contentHash(v.flows));
    expect(v.intentsHash).toBe(contentHash(v.intents));
    expect(v.kbSnapshotHash).toBe(kbSnapshotHash(demo.kbArticles));
    const again = buildDemoTenant({ asOf: new Date('2027-03-01T00:00:00Z'), customerSeed: 9 });
    expect([again.agentVersion.promptHash, again.agentVersion.flowsHash, again.agentVersion.intentsHash, again.agentVersion.kbSnapshotHash]).toEqual([
      v.promptHash,
      v.flowsHash,
      v.intentsHash,
      v.kbSnapshotHash,
    ]);
    expect(new Set([v.promptHash, v.flowsHash, v.intentsHash, v.kbSnapshotHash]).size).toBe(4);
  });
});
