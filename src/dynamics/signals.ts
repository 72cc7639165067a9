/**
 * All per-epoch signals of a run, in one pass over its checkpoints: the weight-trajectory
 * signals (weights.ts) and the share of dead ReLU units on a fixed probe set drawn from the
 * training data (activations.ts). Epoch 0 is the initial model, rebuilt from the config's seed
 * when the run allows it (checkpoints.ts).
 */
import { initTf, tf } from '../runtime/tf.js';
import type { EpochRecord } from '../train/report/index.js';
import { initialModel, loadCheckpoint, type TrainingRun } from './checkpoints.js';
import { modelWeights } from './checkpoints.js';
import { deadUnits, layerActivity, reluLayers } from './activations.js';
import { balancedProbe, loadRunDataset, type ProbeSet } from './probe.js';
import { WeightTrajectory, type LayerSignals } from './weights.js';

export interface DeadSignals {
  layer: string;
  units: number;
  /** Share of the layer's units that never fire on the probe set, per epoch. */
  share: number[];
}

export interface RunSignals {
  /** Epochs with a snapshot (0 = initial weights, when rebuilt). */
  epochs: number[];
  /** Weight signals per layer and for the whole network (`network`, last). */
  layers: LayerSignals[];
  /** Dead-unit share per ReLU layer (empty when the model has none or no probe set was used). */
  dead: DeadSignals[];
  /** Training history of the checkpointed epochs (validation fields are for comparison only). */
  history: EpochRecord[];
  /** Whether epoch 0 is in the signals. */
  initial: boolean;
  probe?: string;
}

export interface SignalOptions {
  /** Probe examples per class from the training split (default 50); 0 skips the dead-unit share. */
  probePerClass?: number;
  seed?: number;
  /** Use this probe set instead of loading the run's data set (tests). */
  probe?: ProbeSet;
  onEpoch?: (epoch: number, index: number, total: number) => void;
}

export async function computeSignals(run: TrainingRun, options: SignalOptions = {}): Promise<RunSignals> {
  await initTf();
  const perClass = options.probePerClass ?? 50;
  const probe = options.probe ?? (perClass > 0 && run.config ? balancedProbe(await loadRunDataset(run), 'train', perClass, options.seed ?? 0) : undefined);
  const trajectory = new WeightTrajectory();
  const dead = new Map<string, DeadSignals>();
  const epochs: number[] = [];

  const measure = (epoch: number, model: tf.LayersModel, weights: ReturnType<typeof modelWeights>) => {
    trajectory.add(epoch, weights);
    epochs.push(epoch);
    if (!probe) return;
    const layers = reluLayers(model);
    for (const a of layerActivity(model, probe, layers)) {
      const d = dead.get(a.name) ?? { layer: a.name, units: a.units, share: [] };
      d.share.push(deadUnits(a).length / a.units);
      dead.set(a.name, d);
    }
  };

  const first = await loadCheckpoint(run, run.epochs[0]);
  const init = initialModel(run, first.weights);
  if (init) {
    try {
      measure(0, init, modelWeights(init));
    } finally {
      init.dispose();
    }
  }
  for (let i = 0; i < run.epochs.length; i++) {
    const epoch = run.epochs[i];
    const { model, weights } = i === 0 ? first : await loadCheckpoint(run, epoch);
    try {
      measure(epoch, model, weights);
    } finally {
      model.dispose();
    }
    options.onEpoch?.(epoch, i, run.epochs.length);
  }
  const w = trajectory.result();
  return {
    epochs,
    layers: w.layers,
    dead: [...dead.values()],
    history: run.history,
    initial: init !== undefined,
    ...(probe ? { probe: probe.source } : {}),
  };
}
