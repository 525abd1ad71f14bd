export * from './server.ts';
export * from './audio/index.ts';
export * from './transport/media-transport.ts';
