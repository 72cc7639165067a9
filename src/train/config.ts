/**
 * The training config: one zod schema that validates a user's JSON or YAML file, fills in every
 * default, and documents itself (docs/training.md's table is generated from the descriptions
 * here by `configDocTable()`, and a test checks the two agree).
 *
 * Errors name the field and what was expected, e.g.
 *   config.training.epochs: expected a positive integer, got "ten"
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { fail } from '../core/errors.js';

// ---------------------------------------------------------------------------------------------
// Field constructors: each carries the words used in its error message ("expected ...").

const expected = (what: string) => ({ error: `expected ${what}` });

const posInt = () => {
  const e = expected('a positive integer');
  return z.number(e).int(e).positive(e);
};
const nonNegInt = () => {
  const e = expected('a non-negative integer');
  return z.number(e).int(e).nonnegative(e);
};
const posNum = () => {
  const e = expected('a positive number');
  return z.number(e).positive(e);
};
const nonNegNum = () => {
  const e = expected('a non-negative number');
  return z.number(e).nonnegative(e);
};
/** A probability-like rate in [0, 1). */
const rate = () => {
  const e = expected('a number in [0, 1)');
  return z.number(e).min(0, e).lt(1, e);
};
const bool = () => z.boolean(expected('true or false'));
const str = () => {
  const e = expected('a non-empty string');
  return z.string(e).min(1, e);
};
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, expected(`one of ${values.map((v) => `"${v}"`).join(', ')}`));
const intList = () => z.array(posInt(), expected('a list of positive integers'));

/** Accept `"adam"` as shorthand for `{ "type": "adam" }` in tagged unions. */
const tagShorthand = (key: string) => (v: unknown) => (typeof v === 'string' ? { [key]: v } : v);

export const ARCHITECTURES = ['cnn', 'cnn1d', 'mlp', 'lstm', 'gru', 'vit'] as const;
export type ArchitectureName = (typeof ARCHITECTURES)[number];

const activation = () =>
  oneOf(['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'swish', 'gelu', 'linear']).default('relu');

// ---------------------------------------------------------------------------------------------
// Model

const ConvBlock = z
  .strictObject(
    {
      filters: posInt().describe('Output channels of the convolution (required).'),
      kernel: posInt().default(3).describe('Kernel size (square for cnn, length for cnn1d).'),
      stride: posInt().default(1).describe('Convolution stride.'),
      padding: oneOf(['same', 'valid']).default('same').describe('Convolution padding.'),
      activation: activation().describe('Activation after the convolution (after batch norm when on).'),
      batchNorm: bool().default(false).describe('Batch normalisation between convolution and activation.'),
      pool: oneOf(['none', 'max', 'avg']).default('none').describe('Pooling after the activation.'),
      poolSize: posInt().default(2).describe('Pooling window and stride.'),
      dropout: rate().default(0).describe('Dropout rate after the block.'),
    },
    expected('an object like { "filters": 32 }'),
  )
  .describe('One convolution block: conv → [batch norm] → activation → [pool] → [dropout].');

const head = {
  dense: intList().default([]).describe('Hidden dense layers of the head before the logits (dense1, dense2, …).'),
  denseDropout: rate().default(0).describe('Dropout after each hidden dense layer of the head.'),
};

const CnnModel = z.strictObject({
  architecture: z.literal(['cnn', 'cnn1d']).describe('"cnn" for images [H, W, C]; "cnn1d" for signals [L, C].'),
  convBlocks: z
    .array(ConvBlock, expected('a list of conv blocks'))
    .min(1, expected('at least one conv block'))
    .default([
      { filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'relu', batchNorm: false, pool: 'max', poolSize: 2, dropout: 0 },
    ])
    .describe('Convolution blocks, named conv1, conv2, … (bn1, act1, pool1, drop1 when present).'),
  globalPool: oneOf(['none', 'avg', 'max'])
    .default('none')
    .describe('How the last feature map becomes a vector: flatten ("none") or global pooling.'),
  ...head,
});

const MlpModel = z.strictObject({
  architecture: z.literal('mlp'),
  hidden: intList().default([100, 100]).describe('Hidden layer sizes (dense1, dense2, …); inputs are flattened.'),
  activation: activation().describe('Activation of the hidden layers.'),
  batchNorm: bool().default(false).describe('Batch normalisation after each hidden layer.'),
  dropout: rate().default(0).describe('Dropout after each hidden layer.'),
});

const RnnModel = z.strictObject({
  architecture: z.literal(['lstm', 'gru']),
  units: posInt().default(64).describe('Hidden size of each recurrent layer.'),
  layers: posInt().default(1).describe('Stacked recurrent layers (lstm1/gru1, lstm2/gru2, …).'),
  bidirectional: bool().default(false).describe('Run each recurrent layer in both directions.'),
  output: oneOf(['last', 'sequence'])
    .default('last')
    .describe('Feed the head the last hidden state, or every step\'s state flattened (MNIST-1D reference).'),
  ...head,
});

const VitModel = z.strictObject({
  architecture: z.literal('vit'),
  patchSize: posInt().default(7).describe('Square patch side; must divide the image height and width.'),
  dim: posInt().default(64).describe('Token embedding size; must be divisible by heads.'),
  depth: posInt().default(4).describe('Transformer blocks (block1, block2, …).'),
  heads: posInt().default(4).describe('Attention heads per block.'),
  mlpDim: posInt().default(128).describe('Hidden size of each block\'s MLP.'),
  pooling: oneOf(['cls', 'mean']).default('cls').describe('Class token, or mean of the patch tokens.'),
  dropout: rate().default(0).describe('Dropout in the MLP blocks and after the embedding.'),
});

const ModelConfig = z.discriminatedUnion('architecture', [CnnModel, MlpModel, RnnModel, VitModel], expected(
  `an object with "architecture": one of ${ARCHITECTURES.map((a) => `"${a}"`).join(', ')}`,
));

// ---------------------------------------------------------------------------------------------
// Training

const Optimizer = z.preprocess(
  tagShorthand('type'),
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('sgd'),
        momentum: z.number(expected('a number in [0, 1)')).min(0).lt(1).default(0.9).describe('SGD momentum (0 = plain SGD).'),
        nesterov: bool().default(false).describe('Nesterov momentum.'),
        weightDecay: nonNegNum().default(0).describe('L2 penalty added to the gradient (coupled).'),
      }),
      z.strictObject({
        type: z.literal('adam'),
        beta1: rate().default(0.9).describe('Decay of the first-moment average (β1).'),
        beta2: rate().default(0.999).describe('Decay of the second-moment average (β2).'),
        epsilon: posNum().default(1e-7).describe('Added to the denominator for stability (ε).'),
      }),
      z.strictObject({
        type: z.literal('adamw'),
        beta1: rate().default(0.9).describe('Decay of the first-moment average (β1).'),
        beta2: rate().default(0.999).describe('Decay of the second-moment average (β2).'),
        epsilon: posNum().default(1e-7).describe('Added to the denominator for stability (ε).'),
        weightDecay: nonNegNum()
          .default(0.01)
          .describe('Decoupled weight decay (w -= lr·wd·w), applied to kernels, not to biases or norms.'),
      }),
    ],
    expected('"sgd", "adam", "adamw" or an object with one of them as "type"'),
  ),
);

const warmup = nonNegInt().default(0).describe('Epochs of linear warm-up from lr/10 before the schedule starts.');
const Schedule = z.preprocess(
  tagShorthand('type'),
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('constant'), warmupEpochs: warmup }),
      z.strictObject({
        type: z.literal('step'),
        stepSize: posInt().default(10).describe('Multiply the rate by gamma every stepSize epochs.'),
        gamma: posNum().default(0.1).describe('Step factor.'),
        warmupEpochs: warmup,
      }),
      z.strictObject({
        type: z.literal('cosine'),
        minLearningRate: nonNegNum().default(0).describe('Rate of the last epoch (keep it above 0, or the last epoch learns nothing).'),
        warmupEpochs: warmup,
      }),
      z.strictObject({
        type: z.literal('exponential'),
        gamma: posNum().default(0.95).describe('Rate multiplied by gamma every epoch.'),
        warmupEpochs: warmup,
      }),
    ],
    expected('"constant", "step", "cosine", "exponential" or an object with one of them as "type"'),
  ),
);

const EarlyStopping = z.strictObject(
  {
    patience: posInt().default(5).describe('Epochs without improvement before stopping.'),
    monitor: oneOf(['val_loss', 'val_acc']).default('val_loss').describe('Quantity watched.'),
    minDelta: nonNegNum().default(0).describe('Smallest change that counts as an improvement.'),
    restoreBest: bool().default(true).describe('Keep the weights of the best epoch at the end.'),
  },
  expected('null or an object like { "patience": 5 }'),
);

const ClassWeights = z.union(
  [z.literal(['none', 'auto']), z.array(posNum()).min(1)],
  expected('"none", "auto" or a list of positive numbers, one per class'),
);

const Training = z.strictObject(
  {
    epochs: posInt().default(10).describe('Passes over the training data.'),
    batchSize: posInt().default(64).describe('Examples per gradient step.'),
    evalBatchSize: posInt().default(256).describe('Examples per forward pass when evaluating.'),
    optimizer: Optimizer.prefault({ type: 'adam' }).describe(
      '"sgd" (momentum, nesterov, weightDecay), "adam" (beta1, beta2, epsilon) or "adamw" (… weightDecay); a string or an object with "type".',
    ),
    learningRate: posNum().default(0.001).describe('Base learning rate.'),
    schedule: Schedule.prefault({ type: 'constant' }).describe(
      '"constant", "step" (stepSize, gamma), "cosine" (minLearningRate) or "exponential" (gamma); all take warmupEpochs.',
    ),
    earlyStopping: EarlyStopping.nullable().default(null).describe('null (off) or { patience, monitor, minDelta, restoreBest }.'),
    classWeights: ClassWeights.default('none').describe(
      '"none", "auto" (n / (classes · n_c), for imbalanced data) or one weight per class; scales each example\'s loss.',
    ),
    keepEpochCheckpoints: bool().default(true).describe('Keep the weights of every epoch under checkpoints/epoch-NNN/.'),
  },
  expected('an object'),
);

const Augmentation = z.strictObject(
  {
    rotationRange: z.number(expected('degrees in [0, 180]')).min(0, expected('degrees in [0, 180]')).max(180, expected('degrees in [0, 180]'))
      .default(0).describe('Rotation drawn uniformly from ±this many degrees.'),
    widthShiftRange: z.number(expected('a fraction in [0, 1]')).min(0, expected('a fraction in [0, 1]')).max(1, expected('a fraction in [0, 1]'))
      .default(0).describe('Horizontal shift drawn from ±this fraction of the width.'),
    heightShiftRange: z.number(expected('a fraction in [0, 1]')).min(0, expected('a fraction in [0, 1]')).max(1, expected('a fraction in [0, 1]'))
      .default(0).describe('Vertical shift drawn from ±this fraction of the height.'),
    zoomRange: rate().default(0).describe('Zoom factor drawn from [1 − zoomRange, 1 + zoomRange].'),
    horizontalFlip: bool().default(false).describe('Mirror left–right with probability ½.'),
    verticalFlip: bool().default(false).describe('Mirror top–bottom with probability ½.'),
    fillMode: oneOf(['reflect', 'nearest', 'constant', 'wrap']).default('nearest').describe('How pixels from outside the image are filled.'),
    cval: z.number(expected('a number')).default(0).describe('Fill value for fillMode "constant".'),
  },
  expected('null or an object like { "rotationRange": 10 }'),
);

const KFold = z.strictObject(
  {
    folds: z.number(expected('an integer ≥ 2')).int(expected('an integer ≥ 2')).min(2, expected('an integer ≥ 2')).default(5)
      .describe('Number of folds.'),
    stratified: bool().default(true).describe('Keep class proportions equal across folds.'),
    refit: bool().default(true).describe('After the folds, train the saved model on all the training data.'),
  },
  expected('null or an object like { "folds": 5 }'),
);

const Output = z.strictObject(
  {
    dir: str().optional().describe('Output folder (default runs/<name>/; --out overrides).'),
    histograms: bool().default(true).describe('Write per-layer weight histograms to TensorBoard each epoch.'),
    sampleImages: nonNegInt().default(8).describe('Training images written to TensorBoard (image data only).'),
    report: bool().default(true).describe('Write report.html, report.md and metrics.json.'),
  },
  expected('an object'),
);

const Dataset = z.strictObject(
  {
    name: str().describe('Registered data set name (mnist, fashion-mnist, mnist1d, shapes, breast-cancer, folder, csv, …).'),
    options: z
      .record(z.string(), z.unknown(), expected('an object'))
      .default({})
      .describe(
        'Loader options, checked by the loader (`glassbox data list` shows them): seed, validationFraction (default 0.1), trainLimit/testLimit, size, path, ….',
      ),
  },
  expected('an object like { "name": "mnist" }'),
);

export const TrainConfigSchema = z.strictObject(
  {
    name: str()
      .regex(/^[\w.-]+$/, expected('a name of letters, digits, ".", "_" or "-"'))
      .describe('Run name; the default output folder is runs/<name>/.'),
    seed: nonNegInt().default(42).describe('Seed for initialisation, shuffling, dropout, augmentation and splits.'),
    dataset: Dataset,
    model: ModelConfig.describe('The network; "architecture" picks one of cnn, cnn1d, mlp, lstm, gru, vit.'),
    training: Training.prefault({}),
    augmentation: Augmentation.nullable().default(null).describe('null (off) or on-the-fly augmentation of training images (src/train/augment.ts; images only).'),
    kfold: KFold.nullable().default(null).describe('null (off) or k-fold cross-validation on the training data.'),
    output: Output.prefault({}),
  },
  expected('an object (the config file must hold one JSON/YAML object)'),
);

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type ModelConfig = TrainConfig['model'];
export type CnnConfig = z.output<typeof CnnModel>;
export type MlpConfig = z.output<typeof MlpModel>;
export type RnnConfig = z.output<typeof RnnModel>;
export type VitConfig = z.output<typeof VitModel>;
export type OptimizerConfig = TrainConfig['training']['optimizer'];
export type ScheduleConfig = TrainConfig['training']['schedule'];
export type AugmentationConfig = NonNullable<TrainConfig['augmentation']>;

// ---------------------------------------------------------------------------------------------
// Parsing and error messages

/** Validates an already-parsed config object; throws GlassboxError listing every bad field. */
export function parseConfig(raw: unknown, source = 'config'): TrainConfig {
  const result = TrainConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => formatIssue(issue as Issue, raw));
  const unique = [...new Set(lines)];
  const prefix = source === 'config' ? '' : `${source}: `;
  fail(unique.length === 1 ? `${prefix}${unique[0]}` : `${prefix}${unique.length} problems: ${unique.join('; ')}`);
}

/** Reads a .json, .yaml or .yml file and validates it. */
export function loadConfigFile(file: string): TrainConfig {
  if (!fs.existsSync(file)) fail(`config file not found: ${file} (see configs/ for examples)`);
  const text = fs.readFileSync(file, 'utf8');
  const ext = path.extname(file).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const kind = ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON';
    fail(`${file} is not valid ${kind}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseConfig(raw, file);
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: Issue[][];
  options?: unknown[];
  discriminator?: string;
  note?: string;
}

function formatIssue(issue: Issue, raw: unknown): string[] {
  const where = ['config', ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return (issue.keys ?? []).map((k) => {
      const allowed = allowedKeys(raw, issue.path);
      const hint = allowed.length ? ` (expected one of: ${allowed.join(', ')}${suggest(k, allowed)})` : '';
      return `${where}.${k}: unknown field${hint}`;
    });
  }
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    // Plain unions: report the branch that got furthest (the one whose issues are deepest).
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
    if (best && depth(best) > issue.path.length) return best.flatMap((i) => formatIssue(i, raw));
  }
  let at = issue.path;
  let msg = issue.message.startsWith('expected') ? issue.message : `expected ${zodWords(issue)}`;
  if (issue.code === 'invalid_union' && issue.discriminator && issue.options?.length) {
    msg = `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
    // A shorthand string ("adamx") was expanded to { type: "adamx" }: report it where the user wrote it.
    const parent = valueAt(raw, at.slice(0, -1));
    if (at.length > 0 && (typeof parent !== 'object' || parent === null) && parent !== undefined) at = at.slice(0, -1);
  }
  const place = ['config', ...at.map(String)].join('.');
  const value = valueAt(raw, at);
  if (value === undefined) return [`${place}: missing, ${msg}`];
  return [`${place}: ${msg}, got ${show(value)}`];
}

function depth(issues: Issue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function zodWords(issue: Issue): string {
  const m = issue.message.replace(/^Invalid input: /, '');
  return m.replace(/^expected /, '');
}

function valueAt(raw: unknown, p: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The keys the schema accepts at a path (following the tagged unions the raw input selects). */
function allowedKeys(raw: unknown, p: PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = TrainConfigSchema;
  for (let i = 0; i <= p.length && schema; i++) {
    schema = unwrap(schema, valueAt(raw, p.slice(0, i)));
    if (i === p.length) break;
    const k = p[i];
    const def = (schema as any)?._zod?.def;
    if (def?.type === 'object') schema = def.shape[k as string];
    else if (def?.type === 'array') schema = def.element;
    else if (def?.type === 'record') schema = def.valueType;
    else schema = undefined;
  }
  const def = (schema as any)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : [];
}

/** Strips defaults, optionals, pipes and picks the tagged-union branch the value names. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let s: any = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = s?._zod?.def;
    if (!def) return s;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.out;
    else if (def.type === 'union' && def.discriminator) {
      const tag = value && typeof value === 'object' ? (value as any)[def.discriminator] : value;
      const branch = def.options.find((o: any) => {
        const lit = o._zod.def.shape?.[def.discriminator]?._zod.def;
        return lit?.values?.includes(tag);
      });
      if (!branch) return s;
      s = branch;
    } else return s;
  }
  return s;
}

function suggest(key: string, allowed: string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

// ---------------------------------------------------------------------------------------------
// Documentation

/**
 * A Markdown table of every config field with its type, default and description, generated from
 * the schema so the docs cannot drift from the code.
 */
export function configDocTable(): string {
  const rows: string[][] = [];
  walkDoc(TrainConfigSchema, 'config', rows, '');
  return ['| field | default | description |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function walkDoc(schema: z.ZodType, where: string, rows: string[][], inheritedDescription: string): void {
  let s: any = schema;
  let dflt: unknown = undefined;
  let hasDefault = false;
  let optional = false;
  let description: string = s.description ?? inheritedDescription;
  for (let guard = 0; guard < 20; guard++) {
    const def = s._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      if (!hasDefault) dflt = typeof def.defaultValue === 'function' ? def.defaultValue() : def.defaultValue;
      hasDefault = true;
      s = def.innerType;
    } else if (def.type === 'optional' || def.type === 'nullable') {
      optional = true;
      s = def.innerType;
    } else if (def.type === 'pipe') s = def.out;
    else break;
    description ||= s.description ?? '';
  }
  const def = s._zod.def;
  const defaultText = hasDefault
    ? isPlainObject(dflt) && Object.keys(dflt as object).length === 0
      ? '(defaults below)'
      : `\`${JSON.stringify(dflt)}\``
    : optional
      ? '(none)'
      : '**required**';
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  if (def.type === 'object') {
    if (where !== 'config' && (description || hasDefault || optional)) {
      rows.push([`\`${where}\``, defaultText, esc(description)]);
    }
    for (const [k, v] of Object.entries(def.shape)) walkDoc(v as z.ZodType, `${where}.${k}`, rows, '');
    return;
  }
  if (def.type === 'union' && def.discriminator) {
    rows.push([`\`${where}\``, defaultText, esc(description)]);
    const allTags: string[] = def.options.flatMap((o: any) => [...o._zod.def.shape[def.discriminator]._zod.def.values]);
    rows.push([`\`${where}.${def.discriminator}\``, '**required**', `One of ${allTags.map((t) => `"${t}"`).join(', ')}.`]);
    // Fields shared by several branches with the same default and text get one row listing them.
    const merged = new Map<string, { row: string[]; tags: string[] }>();
    for (const option of def.options) {
      const tags: string[] = [...option._zod.def.shape[def.discriminator]._zod.def.values];
      for (const [k, v] of Object.entries(option._zod.def.shape)) {
        if (k === def.discriminator) continue;
        const sub: string[][] = [];
        walkDoc(v as z.ZodType, `${where}.${k}`, sub, '');
        for (const row of sub) {
          const key = row.join('\u0000');
          const entry = merged.get(key);
          if (entry) entry.tags.push(...tags);
          else merged.set(key, { row, tags: [...tags] });
        }
      }
    }
    for (const { row, tags } of merged.values()) {
      const scope = tags.length === allTags.length ? '' : `(${tags.join(', ')}) `;
      rows.push([row[0], row[1], `${scope}${row[2]}`]);
    }
    return;
  }
  if (def.type === 'array' && def.element._zod.def.type === 'object') {
    rows.push([`\`${where}\``, defaultText, esc(description)]);
    walkDoc(def.element, `${where}[]`, rows, '');
    return;
  }
  rows.push([`\`${where}\``, defaultText, esc(description)]);
}

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
