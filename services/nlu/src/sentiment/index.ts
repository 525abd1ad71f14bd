/**
 * Per-turn sentiment for escalation: VADER plus contact-center terms, and a per-call tracker.
 * See docs/nlu-slots-sentiment.md for the labelled set and the measured accuracy.
 */
export { scoreSentiment, labelFor, type SentimentResult, type SentimentLabel, type SentimentOptions } from './score.ts';
export { SentimentTracker, type SentimentTrackerOptions, type TrackerState, type EscalationReason } from './tracker.ts';
export { CC_TERMS, type CcSignal, type CcTerm } from './lexicon.ts';
export { LABELLED_UTTERANCES, type LabelledUtterance } from './fixtures/labelled-utterances.ts';
