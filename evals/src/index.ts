export * from './metrics/definitions.ts';
export { runEval, newRunId, runDeadLetters, type RunEvalOptions, type EvalRunResult, type EvalStores } from './run/run-eval.ts';
export { loadEvalDataset, registerDataset, datasetCallLoader, sgdCall, sgdLabeller, duplicateIds, type EvalDataset } from './run/datasets.ts';
export { evalDeps, resolveAgentVersion, type EvalDepsInput } from './run/deps.ts';
export { collectReport, renderMarkdown, type EvalReport, type EvalHeadline, type CallProblem } from './run/report.ts';
