/** Structured Attention Graphs: the library face (the CLI and the web app use these). */
export { structuredAttentionGraph } from './sag.js';
export { sagOptionsSchema, SAG_BASELINES } from './types.js';
export type {
  SagOptions,
  SagOptionsInput,
  SagResult,
  SagSettings,
  SagStage,
  PatchSet,
  RootSet,
} from './types.js';
export type { SagNode, SagEdge, ChildOrder } from './graph.js';
export { CHILD_ORDERS, buildGraph } from './graph.js';
export { searchRoots, minimise, rankPatches, SHRINK_ORDERS } from './search.js';
export type { StepRecord, ScoredSet, FoundRoot, SearchSettings, ShrinkOrder } from './search.js';
export { diverseSubset, overlap } from './diversity.js';
export { PatchGrid, UPSAMPLE_MODES, formatSet } from './patches.js';
export type { UpsampleMode } from './patches.js';
export { PatchScorer } from './scorer.js';
export { DEFAULT_HEURISTICS, HEURISTIC_DEFAULTS, defaultHeuristic } from './heuristic.js';
export type { Heuristic } from './heuristic.js';
export { rootExpression, summarise } from './summary.js';
export { renderSagSvg, dropColour } from './render-svg.js';
export { writeSag, sagJson, SAG_FILES } from './files.js';
