/** Options and result of `structuredAttentionGraph`, shared by the CLI, the files and the web app. */
import { z } from 'zod';
import { UPSAMPLE_MODES } from './patches.js';
import { CHILD_ORDERS, type SagEdge, type SagNode } from './graph.js';
import { SHRINK_ORDERS, type ShrinkOrder, type StepRecord } from './search.js';

export const SAG_BASELINES = ['black', 'blur', 'mean'] as const;

export const sagOptionsSchema = z.strictObject({
  target: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('class to explain; default: the predicted class'),
  grid: z
    .union([z.number().int().min(1), z.tuple([z.number().int().min(1), z.number().int().min(1)])])
    .default(7)
    .describe('patch grid: n for n×n, or [rows, cols]'),
  beam: z.number().int().min(1).default(3).describe('beam width: states kept per step'),
  successors: z
    .number()
    .int()
    .min(1)
    .default(15)
    .describe('best-ranked unrevealed patches tried from each state'),
  threshold: z
    .number()
    .gt(0)
    .max(1)
    .default(0.9)
    .describe('a root keeps at least this fraction of the full-image probability'),
  childThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.4)
    .describe(
      'a graph node is expanded while it keeps this fraction of the full-image probability',
    ),
  maxChildren: z.number().int().min(1).default(3).describe('children per graph node'),
  maxNodes: z
    .number()
    .int()
    .min(1)
    .default(50)
    .describe('graph size limit: no node is added beyond it (roots always are)'),
  childOrder: z
    .enum(CHILD_ORDERS)
    .default('least-drop')
    .describe(
      'which children: the least probability drop, or the first patches in row-major order (the reference code)',
    ),
  maxRoots: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('stop the search after this many distinct roots'),
  maxOverlap: z.number().int().min(0).default(1).describe('patches two diverse roots may share'),
  show: z.number().int().min(1).default(3).describe('diverse roots shown in the graph'),
  maxRootSize: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('largest root searched for, in patches; default: the whole grid'),
  shrink: z
    .enum(SHRINK_ORDERS)
    .default('first-fit')
    .describe(
      'how candidates are shrunk to minimal roots: first-fit sweeps (least important patch first) or best-first',
    ),
  patience: z
    .union([z.number().int().min(1), z.literal(Infinity)])
    .default(3)
    .describe(
      'after the first root, stop once this many beam steps in a row find no new root (Infinity: search to maxRootSize, as the reference)',
    ),
  baseline: z
    .union([z.enum(SAG_BASELINES), z.number()])
    // Blur, as the reference code ("low probability blurred image"): hidden patches keep the
    // background's colours, so a revealed patch is not a bright square on black — which a
    // classifier can take for an object (docs/sag.md, "Baseline").
    .default('blur')
    .describe('hidden patches: blur (Gaussian blur of the image), black (0), mean (per-channel mean), or a number'),
  blurSigma: z
    .number()
    .positive()
    .optional()
    .describe('σ in pixels of the blur baseline; default: a tenth of the image side'),
  upsample: z
    .enum(UPSAMPLE_MODES)
    .default('align-corners')
    .describe(
      'patch mask to pixels: align-corners bilinear (the reference), half-pixel bilinear, or nearest',
    ),
  heuristic: z
    .union([
      z.string(),
      z.array(z.number()),
      z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array'),
    ])
    .optional()
    .describe(
      'patch ranking: a method name (default: integrated-gradients for white-box models, else rise, else grad-cam) or scores per patch or per pixel',
    ),
  heuristicOptions: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('options for the heuristic method'),
  seed: z
    .number()
    .int()
    .default(0)
    .describe('seed of the heuristic (the search itself is deterministic)'),
  batchSize: z.number().int().min(1).default(64).describe('images per predict call'),
});

export type SagOptionsInput = z.input<typeof sagOptionsSchema>;

export type SagStage = 'heuristic' | 'search' | 'graph';

export interface SagOptions extends Omit<SagOptionsInput, 'heuristic'> {
  heuristic?: string | readonly number[] | Float32Array;
  /** (done, total, stage): the explainer's units while ranking, then forward passes, whose total grows as the search schedules them. */
  onProgress?: (done: number, total: number, stage: SagStage) => void;
  signal?: AbortSignal;
}

/** Settings as used (defaults filled, heuristic maps left out). */
export interface SagSettings {
  grid: [number, number];
  beam: number;
  successors: number;
  threshold: number;
  childThreshold: number;
  maxChildren: number;
  maxNodes: number;
  childOrder: (typeof CHILD_ORDERS)[number];
  maxRoots: number;
  maxOverlap: number;
  show: number;
  maxRootSize: number;
  shrink: ShrinkOrder;
  patience: number;
  baseline: string | number;
  blurSigma?: number;
  upsample: (typeof UPSAMPLE_MODES)[number];
  seed: number;
  batchSize: number;
}

export interface PatchSet {
  /** Sorted patch indices (row-major from 0). */
  patches: number[];
  /** Target probability with only these patches visible. */
  probability: number;
  /** probability / full-image probability. */
  relative: number;
}

export interface RootSet extends PatchSet {
  /** Beam-search step that found it. */
  step: number;
}

export interface SagResult {
  target: number;
  targetName?: string;
  predicted: number;
  fullProbability: number;
  /** Probability of the fully masked image. */
  emptyProbability: number;
  grid: { rows: number; cols: number; height: number; width: number };
  /** The roots shown in the graph: the first `show` of the diverse subset. */
  roots: RootSet[];
  /** The largest subset of candidates with pairwise overlap ≤ maxOverlap. */
  diverse: RootSet[];
  /** Every distinct minimal root the search found, in the order found. */
  candidates: RootSet[];
  nodes: SagNode[];
  edges: SagEdge[];
  /** True when the graph hit maxNodes before every qualifying node was expanded. */
  truncated: boolean;
  /** The shown roots as "P11 & P30 or P10 & P30". */
  expression: string;
  /** Several lines: the expression, the numbering convention, the roots, the costs. */
  summary: string;
  heuristic: {
    method: string;
    options: Record<string, unknown>;
    patchScores: number[];
    passes: number;
    milliseconds: number;
  };
  steps: StepRecord[];
  settings: SagSettings;
  /** Images scored by the search and the graph (full image and empty set included; not the heuristic's). */
  forwardPasses: number;
  predictCalls: number;
  milliseconds: number;
}
