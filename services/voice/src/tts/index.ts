export * from './tts-provider.ts';
export * from './process-tts.ts';
export * from './flite.ts';
export * from './espeak.ts';
export * from './fallback.ts';
