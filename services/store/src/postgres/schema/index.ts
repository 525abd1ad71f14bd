export * from './enums.ts';
export * from './tenancy.ts';
export * from './agents.ts';
export * from './knowledge.ts';
export * from './crm.ts';
export * from './calls.ts';
export * from './review.ts';
export * from './audit.ts';
