/** The generic WebSocket connector's messages (docs/connectors.md, "Generic WebSocket"). */

export type ServerMessage =
  | { type: 'started'; callId: string; sampleRate: number }
  | { type: 'mark'; name: string }
  | { type: 'clear' }
  | { type: 'transfer'; target?: string; reason?: string; contextId?: string; variables?: Record<string, unknown> }
  | { type: 'end'; reason: string }
  | { type: 'error'; code: string; message: string };

export type ClientMessage =
  | { type: 'start'; token: string; sampleRate: 16000; encoding: 'L16'; callerId?: string; parameters?: Record<string, string> }
  | { type: 'mark'; name: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'stop' };

/** A server text frame, or null when it is not one of the known messages. */
export function parseServerMessage(text: string): ServerMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  switch (o.type) {
    case 'started':
      return { type: 'started', callId: str('callId') ?? '', sampleRate: typeof o.sampleRate === 'number' ? o.sampleRate : 16000 };
    case 'mark':
      return str('name') === undefined ? null : { type: 'mark', name: str('name')! };
    case 'clear':
      return { type: 'clear' };
    case 'transfer':
      return { type: 'transfer', target: str('target'), reason: str('reason'), contextId: str('contextId'), variables: (o.variables as Record<string, unknown>) ?? undefined };
    case 'end':
      return { type: 'end', reason: str('reason') ?? 'ended' };
    case 'error':
      return { type: 'error', code: str('code') ?? 'error', message: str('message') ?? '' };
    default:
      return null;
  }
}

/** What a person should read when the socket closes with `code`. */
export function describeClose(code: number, reason: string, started: boolean): string | null {
  if (code === 1000) return null;
  if (code === 4401) return 'The call token was refused or has expired. Start a new call.';
  if (code === 4408) return 'The voice service timed out waiting for the call to start.';
  if (code === 4415) return 'The voice service refused the audio format.';
  if (code === 4400) return `The voice service reported a protocol error${reason ? `: ${reason}` : ''}.`;
  if (code === 1013 || code === 1008) return `The voice service refused the call${reason ? `: ${reason}` : ''}.`;
  if (!started) return 'Could not connect to the voice service (connection refused or unreachable).';
  return `The connection to the voice service was lost${reason ? ` (${reason})` : ''}.`;
}

/** Human text for an `end` reason. */
export function describeEnd(reason: string): string {
  const map: Record<string, string> = {
    hangup: 'You hung up.',
    transferred: 'The agent transferred the call to a human.',
    'call completed': 'The agent ended the call.',
    completed: 'The agent ended the call.',
  };
  return map[reason] ?? `Call ended (${reason}).`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * The socket URL the browser should open. The API names the voice runtime as the server sees it;
 * when that is a loopback address but the console was opened under another host name, the same port
 * on the console's host is the one the browser can reach. `wss:` when the page is served over https.
 */
export function socketUrlFor(apiUrl: string, page: { hostname: string; protocol: string }): string {
  const url = new URL(apiUrl);
  if (LOOPBACK.test(url.hostname) && !LOOPBACK.test(page.hostname)) url.hostname = page.hostname;
  if (page.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}
