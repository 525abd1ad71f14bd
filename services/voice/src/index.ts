export * from './server.ts';
export * from './audio/index.ts';
export * from './transport/media-transport.ts';
export * from './vad/index.ts';
export * from './tts/index.ts';
export * from './pipeline/index.ts';
export * from './connectors/index.ts';
export * from './asr/index.ts';
