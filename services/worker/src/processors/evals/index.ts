export * from './call-metrics.ts';
export * from './eval-processors.ts';
