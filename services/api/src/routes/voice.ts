import { AppError } from '@cc/core';
import type { Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

/** "Talk to the agent": a single-use token for the generic WebSocket connector (16 kHz L16). */
export function voiceRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'POST', path: '/v1/voice/calls', roles: ['admin', 'supervisor', 'reviewer'], summary: 'Start a test call to the agent from the browser' }, async (c) => {
    if (!deps.voice) throw new AppError('voice_unavailable', 'No voice runtime runs beside this API', { status: 503 });
    const tenantId = c.get('principal').tenantId;
    const token = deps.voice.issueCallToken(tenantId);
    deps.logger.info({ tenantId, actorId: c.get('principal').actorId, requestId: c.get('requestId') }, 'test call token issued');
    const url = new URL('/v1/stream', deps.voice.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return c.json({ url: url.toString(), token, sampleRate: 16000, expiresInSeconds: 120 }, 201);
  });
}
