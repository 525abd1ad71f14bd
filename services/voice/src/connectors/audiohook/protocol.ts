/**
 * Genesys Cloud AudioHook protocol v2 message shapes (https://developer.genesys.cloud/devapps/audiohook/).
 *
 * Every text message: {version: "2", id: <session id>, type, seq, parameters}. The client (Genesys)
 * adds `serverseq` (last server seq it saw) and `position` (ISO 8601 duration of audio sent so far);
 * the server adds `clientseq` (last client seq it saw). Each side numbers its own messages 1, 2, 3, …
 *
 * Client → server: open, close, ping, paused, resumed, update, discarded, error, and (Audio Connector)
 * dtmf, playback_started, playback_completed. Server → client: opened, closed, pong, pause, resume,
 * event, disconnect. Audio travels in binary frames in the format `opened` selected.
 */
export const AUDIOHOOK_VERSION = '2';
export const NULL_UUID = '00000000-0000-0000-0000-000000000000';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type MediaFormat = 'PCMU' | 'L16';
export type MediaChannel = 'external' | 'internal';

export interface MediaParameter {
  type: 'audio';
  format: MediaFormat;
  channels: MediaChannel[];
  rate: 8000;
}

export interface ClientMessage {
  version: '2';
  id: string;
  type: string;
  seq: number;
  serverseq: number;
  position: string;
  parameters: Record<string, unknown>;
}

export interface ServerMessage {
  version: '2';
  id: string;
  type: 'opened' | 'closed' | 'pong' | 'pause' | 'resume' | 'event' | 'disconnect' | 'updated' | 'reconnect';
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}

export type DisconnectReason = 'completed' | 'unauthorized' | 'error';

export const CLIENT_MESSAGE_TYPES = [
  'open',
  'close',
  'ping',
  'paused',
  'resumed',
  'update',
  'discarded',
  'error',
  'dtmf',
  'playback_started',
  'playback_completed',
] as const;

/** ISO 8601 duration in seconds as AudioHook writes it: PT0S, PT1.24S. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms)) / 1000;
  return `PT${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}S`;
}

/** Milliseconds from an ISO 8601 duration (PTnS, PTnMnS, PTnHnMnS, with decimal seconds); null if malformed. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const m = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text);
  if (!m || text === 'PT') return null;
  const [, h, min, s] = m;
  return Math.round(((Number(h ?? 0) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000);
}

export function isClientMessage(v: unknown): v is ClientMessage {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return (
    m.version === AUDIOHOOK_VERSION &&
    typeof m.id === 'string' &&
    typeof m.type === 'string' &&
    Number.isSafeInteger(m.seq) &&
    (m.seq as number) >= 1 &&
    Number.isSafeInteger(m.serverseq) &&
    (m.serverseq as number) >= 0 &&
    parseDuration(m.position) !== null &&
    typeof m.parameters === 'object' &&
    m.parameters !== null &&
    !Array.isArray(m.parameters)
  );
}

/** The offered media entry's shape, or null when it is not one we could take. */
export function acceptableMedia(entry: unknown, formats: readonly MediaFormat[]): MediaParameter | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as Record<string, unknown>;
  if (e.type !== 'audio' || e.rate !== 8000 || !formats.includes(e.format as MediaFormat)) return null;
  if (!Array.isArray(e.channels) || e.channels.length < 1 || e.channels.length > 2) return null;
  if (!e.channels.every((c) => c === 'external' || c === 'internal') || new Set(e.channels).size !== e.channels.length) return null;
  return { type: 'audio', format: e.format as MediaFormat, channels: [...(e.channels as MediaChannel[])], rate: 8000 };
}
