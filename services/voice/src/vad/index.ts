export * from './silero.ts';
export * from './endpointer.ts';
export * from './vad.ts';
export * from './vad-eval.ts';
