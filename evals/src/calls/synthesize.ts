import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '@cc/core';
import { decodeWav, resample } from '@cc/voice';

const run = promisify(execFile);

export const FLITE_VOICES = ['slt', 'kal', 'awb', 'rms', 'kal16'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

/** Speak `text` with Debian's flite and return 16-bit PCM at `sampleRate`. */
export async function speak(text: string, voice: FliteVoice, sampleRate: number, signal?: AbortSignal): Promise<Int16Array> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-tts-'));
  try {
    const out = join(dir, 'turn.wav');
    try {
      await run('flite', ['-voice', voice, '-t', text, '-o', out], { signal, timeout: 30_000 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('missing_dependency', 'flite not found: apt-get install -y flite');
      throw err;
    }
    const wav = decodeWav(await readFile(out));
    return resample(wav.channels[0]!, wav.sampleRate, sampleRate);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
