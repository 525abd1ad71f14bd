export * from './flows.ts';
export * from './intents.ts';
export * from './kb-articles.ts';
export * from './customers.ts';
export * from './demo-tenant.ts';
export { DEMO_CONFLICT_ARTICLES, type DemoConflictArticle } from './kb-demo-conflicts.ts';
export { canonicalJson, contentHash, Prng } from './util.ts';
export {
  SGD_SERVICES,
  type SgdServiceName,
  SgdIntentExampleSchema,
  type SgdIntentExample,
  loadSgdServices,
  loadSgdIntentExamples,
  loadAbcd,
  abcdSubflows,
} from './sources.ts';
