export * from './mulaw.ts';
export * from './resample.ts';
export * from './wav.ts';
