/**
 * @cc/nlu: language understanding for caller turns.
 * - intent/: per-tenant intent classification with out-of-scope detection (docs/nlu.md)
 * Other parts (slots/, sentiment/) are exported by their own lines below.
 */
export * from './intent/index.ts';
export * from './slots/index.ts';
export * from './sentiment/index.ts';
