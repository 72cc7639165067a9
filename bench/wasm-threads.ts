/**
 * `npx tsx bench/wasm-threads.ts [--rounds 3] [--reps 5] [--nets small,resnet18] [--builtin]`
 *
 * TF.js wasm backend with 1 vs 2 threads (GLASSBOX_THREADS), on a forward pass, the weight
 * gradient of a training step and the input gradient (saliency), for a small MNIST-sized CNN
 * (batch 32) and ResNet-18 at 224×224 (batch 1). The thread count is fixed when the backend
 * starts, so every measurement runs in a fresh child process; children alternate 1, 2, 2, 1, …
 * so that a change in machine load hits both sides. Reported: the median over rounds of each
 * child's median. `--builtin` adds the input gradient with tfjs's own Conv2DBackpropInput.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { initTf, inputGradientsOnly, tf } from '../src/runtime/tf.js';
import { wasmStart } from '../src/runtime/wasm-backend.js';
import { median } from './stats.js';

type Net = 'small' | 'resnet18';
type Task =
  | 'forward'
  | 'weight gradient'
  | 'input gradient'
  | 'input gradient, inputGradientsOnly'
  | 'input gradient, tfjs kernels';
interface Timing {
  ms: number;
  /** Process CPU time / wall time: ≈ threads when all are busy, more than the speed-up if they spin. */
  cpu: number;
}
type Result = Partial<Record<Net, Partial<Record<Task, Timing>>>>;

interface Args {
  rounds: number;
  reps: number;
  nets: Net[];
  builtin: boolean;
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    rounds: Number(value('--rounds') ?? 3),
    reps: Number(value('--reps') ?? 5),
    nets: (value('--nets') ?? 'small,resnet18').split(',') as Net[],
    builtin: argv.includes('--builtin'),
    child: argv.includes('--child'),
  };
}

// ---- the networks ---------------------------------------------------------------------------

function smallCnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
    }),
  );
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.dropout({ rate: 0.25 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function resnet18(): tf.LayersModel {
  const conv = (x: tf.SymbolicTensor, filters: number, size: number, strides: number) =>
    tf.layers
      .conv2d({ filters, kernelSize: size, strides, padding: 'same', useBias: false })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor) => tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [224, 224, 3] });
  let x = relu(bn(conv(input, 64, 7, 2)));
  x = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })
    .apply(x) as tf.SymbolicTensor;
  let channels = 64;
  for (const [filters, strides] of [
    [64, 1],
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
  ]) {
    const y = bn(conv(relu(bn(conv(x, filters, 3, strides))), filters, 3, 1));
    const shortcut = strides > 1 || filters !== channels ? bn(conv(x, filters, 1, strides)) : x;
    x = relu(tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor);
    channels = filters;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: 1000, activation: 'softmax' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

// ---- one child: one thread count ------------------------------------------------------------

function timeMedian(fn: () => void, reps: number): Timing {
  fn(); // warm-up: XNNPACK operators, weight packing, cached filters
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: median(ms), cpu: (cpu.user + cpu.system) / 1000 / ms.reduce((a, b) => a + b, 0) };
}

function measure(
  model: tf.LayersModel,
  batch: number,
  classes: number,
  reps: number,
  builtin?: tf.KernelConfig[],
) {
  const x = tf.randomNormal(
    [batch, ...(model.inputs[0].shape.slice(1) as number[])],
    0,
    1,
    'float32',
    1,
  );
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % classes),
      'int32',
    ),
    classes,
  );
  const loss = (input: tf.Tensor, training: boolean) =>
    tf.losses.softmaxCrossEntropy(
      labels,
      model.apply(input, { training }) as tf.Tensor,
    ) as tf.Scalar;
  // Saliency: gradient of the labelled class score (one-hot multiply, not gather) w.r.t. the input.
  const saliency = () =>
    tf.tidy(() =>
      tf
        .grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input) as tf.Tensor, labels)))(x)
        .dataSync(),
    );
  const out: Partial<Record<Task, Timing>> = {
    forward: timeMedian(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), reps),
    'weight gradient': timeMedian(() => {
      const { value, grads } = tf.variableGrads(() => loss(x, true));
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    }, reps),
    'input gradient': timeMedian(saliency, reps),
    'input gradient, inputGradientsOnly': timeMedian(() => inputGradientsOnly(saliency), reps),
  };
  if (builtin) {
    const ours = builtin.map((k) => tf.getKernel(k.kernelName, 'wasm')!);
    const swap = (configs: tf.KernelConfig[]) =>
      configs.forEach((k) => {
        tf.unregisterKernel(k.kernelName, 'wasm');
        tf.registerKernel(k);
        k.setupFunc?.(tf.backend()); // tfjs's were replaced before the backend started: set up now
      });
    swap(builtin);
    out['input gradient, tfjs kernels'] = timeMedian(saliency, Math.min(reps, 3));
    swap(ours);
  }
  tf.dispose([x, labels]);
  return out;
}

async function runChild(args: Args): Promise<void> {
  // tfjs-backend-wasm registers its kernels on import; keep the ones Glassbox replaces, for --builtin.
  const builtin = [tf.Conv2DBackpropInput, tf.Identity].map((name) => ({
    ...tf.getKernel(name, 'wasm')!,
  }));
  if ((await initTf('wasm')) !== 'wasm') throw new Error('wasm backend did not start');
  const result: Result = {};
  if (args.nets.includes('small')) result.small = measure(smallCnn(), 32, 10, args.reps * 2);
  if (args.nets.includes('resnet18'))
    result.resnet18 = measure(resnet18(), 1, 1000, args.reps, args.builtin ? builtin : undefined);
  console.log(
    JSON.stringify({ threads: wasmStart().threads, fallback: wasmStart().fallbackReason, result }),
  );
}

// ---- the parent: alternate children, report ------------------------------------------------

async function runParent(args: Args): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const childArgs = [
    '--import',
    'tsx',
    self,
    '--child',
    '--reps',
    String(args.reps),
    '--nets',
    args.nets.join(','),
  ];
  if (args.builtin) childArgs.push('--builtin');
  const runs: Record<number, Result[]> = { 1: [], 2: [] };
  const load0 = os.loadavg()[0];
  for (let round = 0; round < args.rounds; round++) {
    for (const threads of round % 2 === 0 ? [1, 2] : [2, 1]) {
      const { stdout } = await promisify(execFile)(process.execPath, childArgs, {
        env: { ...process.env, GLASSBOX_THREADS: String(threads), GLASSBOX_BACKEND: 'wasm' },
        maxBuffer: 1 << 20,
      });
      const line = JSON.parse(stdout.trim().split('\n').pop()!) as {
        threads: number;
        fallback?: string;
        result: Result;
      };
      if (line.threads !== threads)
        throw new Error(`asked for ${threads} threads, got ${line.threads} (${line.fallback})`);
      runs[threads].push(line.result);
      process.stderr.write(`round ${round + 1}/${args.rounds}, ${threads} thread(s) done\n`);
    }
  }
  const load1 = os.loadavg()[0];
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  const lines = [
    `wasm backend, ${os.cpus().length} cores (${os.cpus()[0].model}), Node ${process.version}, ` +
      `${args.rounds} rounds × ${args.reps}+ reps, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
    '',
    '| net | task | 1 thread (ms) | 2 threads (ms) | speed-up | CPU use, 1 / 2 threads |',
    '|---|---|---|---|---|---|',
  ];
  for (const net of args.nets) {
    const tasks = Object.keys(runs[1][0][net] ?? {}) as Task[];
    for (const task of tasks) {
      const stat = (threads: 1 | 2, key: keyof Timing) =>
        median(runs[threads].map((r) => r[net]![task]![key]));
      const [one, two] = [stat(1, 'ms'), stat(2, 'ms')];
      const name = net === 'small' ? 'small CNN, batch 32' : 'ResNet-18 224², batch 1';
      lines.push(
        `| ${name} | ${task} | ${fmt(one)} | ${fmt(two)} | ${(one / two).toFixed(2)}× | ` +
          `${stat(1, 'cpu').toFixed(2)} / ${stat(2, 'cpu').toFixed(2)} |`,
      );
    }
  }
  console.log(lines.join('\n'));
}

const args = parseArgs(process.argv.slice(2));
await (args.child ? runChild(args) : runParent(args));
