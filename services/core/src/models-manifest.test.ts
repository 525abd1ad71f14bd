import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelManifest, verifiedModelPath } from './models-manifest.ts';
import { sha256Hex } from './crypto.ts';

describe('models/manifest.json', () => {
  it('lists each model with a size and sha256 that match the file', async () => {
    const manifest = loadModelManifest();
    expect(manifest.models.length).toBeGreaterThan(0);
    for (const entry of manifest.models) await expect(verifiedModelPath(entry)).resolves.toContain(entry.path);
  });

  it('rejects a file whose bytes differ from the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'm.onnx'), 'abc');
    const entry = { id: 'm', kind: 'other' as const, path: 'x/m.onnx', format: 'onnx', source: 's', licence: 'l', sha256: sha256Hex('abd'), bytes: 3, details: {} };
    await expect(verifiedModelPath(entry, dir)).rejects.toThrow(/sha256/);
    await expect(verifiedModelPath({ ...entry, bytes: 4 }, dir)).rejects.toThrow(/4/);
  });

  it('refuses paths that leave the models folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ models: [{ id: 'a', kind: 'vad', path: '../etc/passwd', format: 'x', source: 's', licence: 'l', sha256: '0'.repeat(64), bytes: 1 }] }));
    expect(() => loadModelManifest(dir)).toThrow(/inside models/);
  });
});
