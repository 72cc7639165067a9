/** `glassbox layers --model PATH`: the inspectable layers of a TF.js or ONNX model. */
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { sizeFlag } from './flags.js';
import { loadModel, type LoadModelOptions } from '../models/load-model.js';
import type { LayerInfo, Model } from '../models/model.js';

interface LayersFlags {
  model: string;
  layout?: string;
  size?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('layers')
    .description('list a model\'s inspectable layers: names (for --layer), types and output shapes')
    .requiredOption('--model <path>', 'TF.js model.json (or its folder) or .onnx file')
    .option('--layout <layout>', 'ONNX input layout: nchw or nhwc (default: detected)')
    .option('--size <HxW>', 'input size for ONNX models that accept any size, e.g. 224x224')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: LayersFlags) => {
      process.stdout.write(await runLayers(flags));
    });
}

export async function runLayers(flags: LayersFlags): Promise<string> {
  const options: LoadModelOptions = {};
  if (flags.layout) {
    if (flags.layout !== 'nchw' && flags.layout !== 'nhwc') fail(`--layout ${flags.layout}: choose nchw or nhwc`);
    options.layout = flags.layout;
  }
  if (flags.size !== undefined) options.size = sizeFlag(flags.size);
  const model = await loadModel(flags.model, options);
  try {
    const layers = model.layers();
    if (flags.json) return `${JSON.stringify({ ...summary(model), layers }, null, 2)}\n`;
    return formatLayers(model, layers);
  } finally {
    model.dispose();
  }
}

function summary(model: Model) {
  return { name: model.name, kind: model.kind, inputShape: model.inputShape, numClasses: model.numClasses, outputKind: model.outputKind };
}

export function formatLayers(model: Model, layers: LayerInfo[]): string {
  const rows = layers.map((l) => [l.name, l.type, `[${l.outputShape.join(', ')}]`, l.spatial ? 'spatial' : '']);
  const header = ['name', 'type', 'output shape', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `${model.name}: ${model.kind} input [${model.inputShape.join(', ')}], ${model.numClasses} classes (${model.outputKind}), ${layers.length} layers`,
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}
