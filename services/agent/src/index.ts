export * from './adapters.ts';
export * from './build-agent.ts';
export * from './dialogue-turn-policy.ts';
export * from './agent-router.ts';
