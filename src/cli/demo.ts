/**
 * `glassbox demo`: the whole flow on a built-in default. Train the small MNIST CNN, explain one
 * test digit per class with every method that applies, write an HTML report and a JSON summary.
 * With a signal config (`--config configs/mnist1d-cnn.json`) the same runs on MNIST-1D, each map
 * drawn over its signal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { integerFlag, optionalIntegerFlag } from './flags.js';
import { loadConfigFile } from '../train/config.js';
import { loadDataset } from '../train/data/datasets.js';
import { train } from '../train/run.js';
import { TfjsModel } from '../models/tfjs-model.js';
import { explain, listMethods, type Explanation } from '../methods/index.js';
import { writeExplanations, type MethodOutput } from '../io/explanation-files.js';
import { encodePngFromUnit } from '../io/image.js';
import { overlayPng } from '../viz/overlay.js';
import { signalAttributionSvg } from '../viz/attribution-plots.js';
import { svgToPng } from '../viz/grid.js';
import { renderExplanationReport, type ReportCell, type ReportRow } from '../viz/explanation-report.js';
import { describeAgreement, describeExplanation } from '../describe/index.js';

const DEFAULT_CONFIG = fileURLToPath(new URL('../../configs/mnist-cnn.json', import.meta.url));

interface DemoFlags {
  out: string;
  count: string;
  epochs?: string;
  methods: string;
  config: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('train a small CNN on MNIST, explain test digits with every method, write an HTML report')
    .option('--out <dir>', 'output folder', 'runs/demo')
    .option('--count <n>', 'test digits to explain (one per class first)', '8')
    .option('--epochs <n>', 'override the config\'s epochs')
    .option('--methods <names>', 'comma-separated methods, or "all"', 'all')
    .option('--config <file>', 'training config', DEFAULT_CONFIG)
    .action(async (flags: DemoFlags) => {
      const summary = await runDemo(flags);
      process.stdout.write(`${summary.report}\n`);
    });
}

/** Indices of the first test example of each class, then the following ones, up to `count`. */
function pickExamples(labels: Int32Array, count: number): number[] {
  const chosen: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < labels.length && chosen.length < count; i++) {
    if (!seen.has(labels[i])) {
      seen.add(labels[i]);
      chosen.push(i);
    }
  }
  for (let i = 0; i < labels.length && chosen.length < count; i++) if (!chosen.includes(i)) chosen.push(i);
  return chosen;
}

export async function runDemo(flags: DemoFlags): Promise<{ report: string; summaryFile: string }> {
  const count = integerFlag(flags.count, '--count', { min: 1, max: 100 });
  const epochs = optionalIntegerFlag(flags.epochs, '--epochs', { min: 1 });
  const out = path.resolve(flags.out);
  const config = loadConfigFile(flags.config);
  const dataset = await loadDataset(config.dataset.name, config.dataset.options);
  // Checked before training, so a table config fails at once and writes nothing.
  if (dataset.kind === 'table') fail(`the demo shows images and signals; config ${config.name} trains on a table (try \`glassbox tables\`)`);
  const run = await train(config, {
    outDir: path.join(out, 'train'),
    dataset,
    epochs,
  });
  if (!run.modelDir) fail('training was interrupted before a model was saved; run the demo again');

  const model = await TfjsModel.load(run.modelDir, { classNames: dataset.classNames, name: config.name });
  const per = dataset.inputShape.reduce((a, b) => a * b, 1);
  const picks = pickExamples(dataset.test.y, count);
  const data = new Float32Array(picks.length * per);
  picks.forEach((idx, i) => data.set(dataset.test.x.subarray(idx * per, (idx + 1) * per), i * per));
  const inputs: NdArray = { data, shape: [picks.length, ...dataset.inputShape] };
  // Display images in [0,1] whatever normalisation the loader applied.
  const display = model.kind === 'image' ? toUnitRange(inputs) : undefined;

  // Wrappers re-run another method and D-RISE explains detectors, not classifiers.
  const applicable = listMethods().filter((m) => m.kinds.includes(model.kind) && m.family !== 'wrapper' && m.name !== 'd-rise');
  const wanted = flags.methods === 'all' ? applicable.map((m) => m.name) : flags.methods.split(',').map((s) => s.trim());
  const outputs: MethodOutput[] = [];
  const methodInfo: { name: string; title: string; reference: string; milliseconds: number; error?: string }[] = [];
  for (const name of wanted) {
    const spec = listMethods().find((m) => m.name === name);
    if (!spec) fail(`unknown method "${name}"; see \`glassbox methods\``);
    process.stderr.write(`explaining with ${name}…\n`);
    try {
      const explanations = await explain(model, inputs, name, { seed: config.seed, log: (m) => process.stderr.write(`  ${m}\n`) });
      outputs.push({ method: name, explanations });
      methodInfo.push({ name, title: spec.title, reference: spec.reference, milliseconds: explanations[0].milliseconds });
    } catch (e) {
      // One method failing should not hide the others; it is reported in the page and summary.
      methodInfo.push({ name, title: spec.title, reference: spec.reference, milliseconds: 0, error: (e as Error).message });
    }
  }
  const explainDir = path.join(out, 'explain');
  await writeExplanations(explainDir, outputs, { kind: model.kind, batch: inputs, givenShape: inputs.shape, display }, { minSize: 112 });

  const accuracy = run.test?.accuracy;
  const rows: ReportRow[] = [];
  for (let i = 0; i < picks.length; i++) {
    const example = item(inputs, i);
    const cells = new Map<string, ReportCell>();
    for (const o of outputs) {
      const e: Explanation = o.explanations[i];
      cells.set(o.method, {
        png: display ? await overlayPng(item(display, i), e.heatmap, { signed: e.signed, minSize: 112 }) : await signalPng(example, e),
        caption: `${e.scoreKind} ${e.score.toFixed(2)}`,
        words: describeExplanation(e, model.kind).text,
      });
    }
    const first = outputs[0]?.explanations[i];
    const truth = dataset.classNames[dataset.test.y[picks[i]]];
    const predicted = first ? dataset.classNames[first.predicted] : '?';
    const words = describeAgreement(outputs.map((o) => o.explanations[i])).text;
    const input = display ? await encodePngFromUnit(item(display, i)) : await signalPng(example);
    rows.push({ title: `true ${truth}, predicted ${predicted}`, input, cells, words });
  }
  const html = renderExplanationReport({
    title: `Glassbox demo: ${config.name} on ${config.dataset.name}`,
    intro: [
      `Trained ${config.model.architecture} "${config.name}" for ${run.finalEpoch} epochs in ${run.seconds.toFixed(0)} s on the ${run.backend} backend; test accuracy ${accuracy === undefined ? 'n/a' : (accuracy * 100).toFixed(2) + '%'}.`,
      `Each cell explains the predicted class${display ? '' : ', drawn over the signal'}. Signed maps: red positive, blue negative; unsigned maps: viridis (yellow = most relevant). Rest the pointer on a cell for the map in words; the line under each row says how the methods agree.`,
    ],
    methods: methodInfo,
    rows,
    plots: !display,
  });
  const report = path.join(out, 'report.html');
  fs.writeFileSync(report, html);
  const summaryFile = path.join(out, 'summary.json');
  fs.writeFileSync(
    summaryFile,
    JSON.stringify(
      {
        model: run.modelDir,
        trainingReport: run.report,
        tensorboard: run.tensorboard,
        trainingSeconds: run.seconds,
        backend: run.backend,
        testAccuracy: accuracy,
        inputs: picks.map((idx, i) => ({ testIndex: idx, label: dataset.test.y[idx], predicted: outputs[0]?.explanations[i].predicted })),
        methods: methodInfo.map((m) => ({ ...m, files: m.error ? undefined : path.join(explainDir, m.name) })),
      },
      null,
      2,
    ),
  );
  model.dispose();
  return { report, summaryFile };
}

/** A signal [L, C] (channel 0) drawn as a line, coloured by the explanation's map when given. */
async function signalPng(example: NdArray, e?: Explanation): Promise<Buffer> {
  const channels = example.shape[1] ?? 1;
  const signal = Float32Array.from({ length: example.shape[0] }, (_, t) => example.data[t * channels]);
  const map = e ? e.heatmap.data : new Float32Array(signal.length);
  return svgToPng(signalAttributionSvg(signal, map, { signed: e?.signed, width: 240, height: 120 }));
}

function toUnitRange(a: NdArray): NdArray {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  return { data: a.data.map((v) => (v - lo) / span), shape: [...a.shape] };
}

function item(a: NdArray, i: number): NdArray {
  const shape = a.shape.slice(1);
  const per = shape.reduce((x, y) => x * y, 1);
  return { data: a.data.subarray(i * per, (i + 1) * per), shape };
}
