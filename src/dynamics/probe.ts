/**
 * The fixed probe set the activation-based signals are measured on: the same examples at every
 * epoch, drawn from the run's own training data (never its validation data), balanced over the
 * classes and chosen with a seed.
 */
import { fail } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset, Split } from '../train/data/dataset.js';
import { exampleSize } from '../train/data/dataset.js';
import { loadDataset } from '../train/data/datasets.js';
import { selectRows } from '../train/data/split.js';
import type { TrainingRun } from './checkpoints.js';

export interface ProbeSet {
  /** count × prod(inputShape) values. */
  x: Float32Array;
  y: Int32Array;
  count: number;
  inputShape: number[];
  classNames: string[];
  /** Where the examples came from, for the JSON outputs. */
  source: string;
}

export type ProbeSplit = 'train' | 'test';

/** Loads the run's data set as its config describes (the same split the trainer saw). */
export async function loadRunDataset(run: TrainingRun): Promise<Dataset> {
  if (!run.config) fail(`${run.dir} has no run.json with the training config: the probe examples come from the run's data set, so finish the run (or re-train) first`);
  return loadDataset(run.config.dataset.name, run.config.dataset.options);
}

/** Up to `perClass` examples of every class from `split`, in a seeded order, grouped by class. */
export function balancedProbe(ds: Dataset, split: ProbeSplit, perClass: number, seed: number): ProbeSet {
  const source: Split = split === 'train' ? ds.train : ds.test;
  const k = ds.classNames.length;
  const order = createRng(`probe:${seed}`).permutation(source.count);
  const picked: number[][] = Array.from({ length: k }, () => []);
  for (const i of order) {
    const c = source.y[i];
    if (picked[c].length < perClass) picked[c].push(i);
  }
  const rows = picked.flat();
  if (rows.length === 0) fail(`the ${split} split of ${ds.name} is empty: nothing to probe the model with`);
  const sel = selectRows(source, ds.inputShape, Int32Array.from(rows));
  return {
    x: sel.x,
    y: sel.y,
    count: sel.count,
    inputShape: ds.inputShape,
    classNames: ds.classNames,
    source: `${ds.name} ${split} split, up to ${perClass} per class, seed ${seed}`,
  };
}

/** Row `i` of a probe set. */
export function probeRow(p: ProbeSet, i: number): Float32Array {
  const size = exampleSize(p.inputShape);
  return p.x.subarray(i * size, (i + 1) * size);
}
