export * from './asr-provider.ts';
export * from './pocketsphinx.ts';
export * from './slots.ts';
