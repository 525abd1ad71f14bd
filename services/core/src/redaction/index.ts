/**
 * PII redaction for every path into Postgres, ClickHouse, queues and logs. See
 * docs/nlu-slots-sentiment.md for what is found, what is kept on purpose, and the figures.
 */
export { redact, redactText, findEmails, piiPlaceholder, type PiiFinding, type RedactOptions, type RedactResult } from './redact.ts';
export { PII_TYPES, type PiiType, type PiiExpectation } from './detectors.ts';
export { redactDeep, SENSITIVE_KEYS, type RedactDeepOptions } from './deep.ts';
export {
  redactingLogSerializer,
  redactingLogFormatter,
  redactingBindingsFormatter,
  redactingLogMethod,
  redactingPinoOptions,
  redactError,
  redactChildBindings,
} from './log.ts';
export {
  PciGuard,
  defaultIsSensitiveSlot,
  type PciState,
  type PciReason,
  type PciDecision,
  type PciTransition,
  type PciGuardOptions,
  type PciConversationState,
} from './pci-guard.ts';
export {
  parseSpokenNumbers,
  ordinalSuffix,
  type ParsedSpokenNumbers,
  type SpokenNumberSpan,
  type NumberGroup,
  type SpokenNumberOptions,
} from './spoken.ts';
export { luhnValid, luhnCheckDigit } from './luhn.ts';
