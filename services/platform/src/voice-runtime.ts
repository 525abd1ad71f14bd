import type { Server } from 'node:http';
import type { Config, Logger } from '@cc/core';
import { AgentRouterPolicy } from '@cc/agent';
import { startHttpServer } from '@cc/api';
import {
  ConnectorTokens,
  PocketsphinxAsr,
  QueueAnalyticsSink,
  RedisSessionStore,
  SileroVadProvider,
  attachConnectors,
  createDefaultTts,
  createVoiceApp,
  createVoicePipeline,
} from '@cc/voice';
import type { Stores } from './stores.ts';

export interface RunningVoiceRuntime {
  url: string;
  /** Mints the single-use token a browser or simulator presents on the generic WebSocket connector. */
  issueCallToken(tenantId: string): string;
  close(): Promise<void>;
}

/**
 * The real-time half: VAD → ASR → the tenant's agent → TTS behind the CCaaS connectors, on VOICE_PORT.
 * Call state lives in Redis and finished calls are queued for analytics, so voice nodes stay stateless.
 */
export async function startVoiceRuntime(config: Config, logger: Logger, stores: Stores, secretKey: string): Promise<RunningVoiceRuntime> {
  const log = logger.child({ component: 'voice' });
  const tokens = new ConnectorTokens(secretKey);
  const asr = new PocketsphinxAsr();
  const pipeline = createVoicePipeline(
    {
      vad: await SileroVadProvider.load(),
      asr,
      policy: new AgentRouterPolicy({ db: stores.db.db, config, logger: log }),
      tts: createDefaultTts(),
      analytics: new QueueAnalyticsSink(stores.queues),
      sessions: new RedisSessionStore(stores.redis),
      logger: log,
    },
    { maxConcurrentCalls: config.VOICE_MAX_CALLS },
  );
  let connectors: ReturnType<typeof attachConnectors> | undefined;
  const app = createVoiceApp(() => ({ activeSessions: pipeline.activeCalls(), connectors: connectors?.connectors ?? [] }));
  const server = await startHttpServer(app.fetch, { host: config.HOST, port: config.VOICE_PORT });
  connectors = attachConnectors(server.server as Server, { onCall: pipeline.onCall, generic: { tokens }, logger: log });
  return {
    url: server.url,
    issueCallToken: (tenantId) => tokens.issue({ kind: 'generic', tenantId }, 120),
    close: async () => {
      // Open WebSockets keep the HTTP server alive: say goodbye on them first, then end the calls.
      await connectors!.close(config.SHUTDOWN_TIMEOUT_MS);
      await pipeline.stopAll('shutdown');
      await server.close(config.SHUTDOWN_TIMEOUT_MS);
      await (asr as { close?: () => Promise<void> }).close?.();
    },
  };
}
