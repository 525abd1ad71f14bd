import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '@cc/core';

/**
 * Connector counters, in the process's shared registry (served at GET /metrics). Labels are bounded:
 * `connector` is one of twilio, genesys, generic; `kind` is a short fixed error label.
 */
function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (metricsRegistry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return (metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
}

export const connectorProtocolErrors = counter(
  'cc_voice_connector_protocol_errors_total',
  'Protocol errors by connector and kind (bad_json, unknown_event, bad_sequence, bad_base64, bad_signature, too_large, bad_media_format, …)',
  ['connector', 'kind'] as const,
);

export const connectorConnections = counter(
  'cc_voice_connector_connections_total',
  'Connection attempts by connector and outcome (accepted, rejected_auth, rejected_busy, rejected_bad_request, probe)',
  ['connector', 'outcome'] as const,
);

export const connectorActive = gauge('cc_voice_connector_active_connections', 'Open connector WebSockets by connector', ['connector'] as const);

export const connectorDroppedFrames = counter(
  'cc_voice_connector_dropped_frames_total',
  'Inbound audio frames dropped because the pipeline did not read them fast enough',
  ['connector'] as const,
);
