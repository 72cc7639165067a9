import fs from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { loadAnyModel } from '../models/load.js';
import type { LoadModelOptions } from '../models/load-model.js';
import { explain, listMethods } from '../methods/index.js';
import { prepareInput } from '../io/input.js';
import { writeExplanations, type MethodOutput } from '../io/explanation-files.js';
import { COLORMAPS, type ColormapName } from '../viz/colormap.js';
import { collect, parseOptionPairs } from './option-pairs.js';
import { integerFlag, integerListFlag, numberFlag, numberListFlag, sizeFlag } from './flags.js';

interface ExplainFlags {
  model: string;
  input: string;
  method: string;
  target?: string;
  layer?: string;
  seed: string;
  out: string;
  opacity: string;
  colormap?: string;
  score?: string;
  option: string[];
  preprocess?: string;
  mean?: string;
  std?: string;
  size?: string;
}

export function register(program: Command): void {
  program
    .command('explain')
    .description('explain a model\'s prediction with one or more attribution methods')
    .requiredOption('--model <path>', 'TF.js model.json (or its folder) or .onnx file')
    .requiredOption('--input <path>', 'PNG/JPEG image or .npy array ([...inputShape] or [N, ...inputShape])')
    .option('--method <names>', 'comma-separated method names, or "all"', 'gradient,saliency,grad-cam')
    .option('--target <class>', 'class index to explain (comma-separated for a batch); default: the predicted class')
    .option('--layer <name>', 'layer for CAM methods; default: the last spatial layer')
    .option('--seed <n>', 'seed for random methods', '0')
    .option('--out <dir>', 'output folder', 'runs/explain')
    .option('--opacity <x>', 'heatmap opacity in overlays, 0..1', '0.5')
    .option('--colormap <name>', `overlay colour map: ${COLORMAPS.join(', ')}`)
    .option('--score <kind>', 'explain the "logit" or the "probability"')
    .option('--option <key=value>', 'method option (repeatable), e.g. --option steps=64', collect, [])
    .option('--preprocess <preset>', 'ONNX models: input normalisation preset, "imagenet" or "none"')
    .option('--mean <list>', 'ONNX models: per-channel mean for [0,1] inputs, e.g. 0.5,0.5,0.5')
    .option('--std <list>', 'ONNX models: per-channel standard deviation, e.g. 0.25,0.25,0.25')
    .option('--size <HxW>', 'ONNX models with a free input size: the size to use, e.g. 224x224')
    .action(async (flags: ExplainFlags) => {
      await runExplain(flags);
    });
}

export async function runExplain(flags: ExplainFlags): Promise<void> {
  const opacity = numberFlag(flags.opacity, '--opacity', { min: 0, max: 1 });
  const seed = integerFlag(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1 });
  if (flags.colormap && !COLORMAPS.includes(flags.colormap as ColormapName)) {
    fail(`--colormap ${flags.colormap}: choose one of ${COLORMAPS.join(', ')}`);
  }
  if (flags.score && flags.score !== 'logit' && flags.score !== 'probability') fail(`--score ${flags.score}: choose logit or probability`);
  if (!fs.existsSync(flags.input)) fail(`input not found: ${flags.input}`);
  const model = await loadAnyModel(flags.model, modelOptions(flags));
  const applicable = listMethods().filter((m) => m.kinds.includes(model.kind) && (model.whiteBox || m.needs === 'predict'));
  const names = flags.method === 'all' ? applicable.filter((m) => m.family !== 'wrapper').map((m) => m.name) : flags.method.split(',').map((s) => s.trim()).filter(Boolean);
  const input = await prepareInput(flags.input, model);
  const n = input.batch.shape[0];
  let targets = flags.target === undefined ? undefined : integerListFlag(flags.target, '--target', { min: 0, max: model.numClasses - 1 });
  if (targets?.length === 1 && n > 1) targets = Array<number>(n).fill(targets[0]);
  const extra = parseOptionPairs(flags.option);
  const outputs: MethodOutput[] = [];
  for (const name of names) {
    const options: Record<string, unknown> = { ...extra };
    const spec = listMethods().find((m) => m.name === name);
    if (flags.layer && spec?.family === 'cam') options.layer = flags.layer;
    const explanations = await explain(model, input.batch, name, {
      targets,
      seed,
      options: Object.keys(options).length ? filterKnown(spec?.options, options) : undefined,
      score: flags.score as 'logit' | 'probability' | undefined,
      log: (m) => process.stderr.write(`${m}\n`),
    });
    outputs.push({ method: name, explanations });
    const e = explanations[0];
    process.stderr.write(`${name}: target ${e.target}${e.targetName ? ` (${e.targetName})` : ''}, ${e.scoreKind} ${e.score.toFixed(4)}, ${e.milliseconds.toFixed(1)} ms per input\n`);
  }
  const written = await writeExplanations(flags.out, outputs, { kind: model.kind, batch: input.batch, givenShape: input.givenShape, display: input.display }, {
    opacity,
    colormap: flags.colormap as ColormapName | undefined,
  });
  model.dispose();
  for (const w of written) process.stdout.write(`${w}\n`);
}

/** Preprocessing flags, which only ONNX models take (TF.js models carry their own). */
function modelOptions(flags: ExplainFlags): LoadModelOptions {
  const options: LoadModelOptions = {};
  if (flags.preprocess) {
    if (flags.preprocess !== 'imagenet' && flags.preprocess !== 'none') fail(`--preprocess ${flags.preprocess}: choose imagenet or none (or give --mean and --std)`);
    options.preprocess = flags.preprocess;
  }
  if (flags.mean || flags.std) {
    if (!flags.mean || !flags.std) fail('--mean and --std go together');
    options.preprocess = { mean: numberListFlag(flags.mean, '--mean'), std: numberListFlag(flags.std, '--std', { above: 0 }) };
  }
  if (flags.size !== undefined) options.size = sizeFlag(flags.size);
  return options;
}

/** With several methods, pass each only the --option keys its schema knows. */
function filterKnown(schema: unknown, options: Record<string, unknown>): Record<string, unknown> {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  if (!shape) return options;
  return Object.fromEntries(Object.entries(options).filter(([k]) => k in shape));
}
