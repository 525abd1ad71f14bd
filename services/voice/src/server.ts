import { Hono } from 'hono';

export interface VoiceRuntimeStatus {
  activeSessions: number;
  connectors: string[];
}

/**
 * The voice runtime's HTTP face. CCaaS media streams (Twilio Media Streams, Genesys AudioHook and the
 * generic WebSocket) attach here as their connectors land; until then it reports its health and that
 * no connector is enabled, so the platform's start and health checks cover the process.
 */
export function createVoiceApp(status: () => VoiceRuntimeStatus): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', ...status() }));
  return app;
}
