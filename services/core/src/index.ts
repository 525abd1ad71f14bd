export * from './errors.ts';
export * from './validate.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './crypto.ts';
export * from './domain/enums.ts';
export * from './domain/analytics.ts';
export * from './models-manifest.ts';
