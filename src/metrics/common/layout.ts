/**
 * How a model's input splits into positions (what a heatmap has one value for) and channels
 * (what a perturbation of one position changes together): images [H, W, C] have H·W positions of
 * C channels, signals [L, C] have L positions, tables [F] have F positions of one channel.
 */
import { fail } from '../../core/errors.js';
import type { InputKind, Model } from '../../models/model.js';

export interface Layout {
  kind: InputKind;
  /** [H, W] for images, [L] for signals, [F] for tables. */
  grid: number[];
  positions: number;
  channels: number;
  /** Values per example: positions × channels. */
  size: number;
}

export function layoutOf(model: Pick<Model, 'kind' | 'inputShape' | 'name'>): Layout {
  const s = model.inputShape;
  let grid: number[];
  let channels: number;
  if (model.kind === 'image' && s.length === 3) [grid, channels] = [[s[0], s[1]], s[2]];
  else if (model.kind === 'signal' && s.length === 2) [grid, channels] = [[s[0]], s[1]];
  else if (model.kind === 'table' && s.length === 1) [grid, channels] = [[s[0]], 1];
  else
    fail(
      `model ${model.name}: a ${model.kind} model with input shape [${s.join(', ')}] is not supported by the metrics`,
    );
  const positions = grid.reduce((a, b) => a * b, 1);
  return { kind: model.kind, grid, positions, channels, size: positions * channels };
}
