/** Shared plumbing for gradient methods. */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { BackwardRule, LayerInfo, Model } from '../models/model.js';
import { findLayer } from '../models/validate.js';
import type { MethodContext } from './method.js';

/** d score / d input for a batch, under a ReLU backward rule. */
export async function inputGradient(ctx: MethodContext, inputs: NdArray, targets: number[], rule: BackwardRule = 'standard'): Promise<{ gradient: NdArray; scores: Float32Array }> {
  const r = await ctx.model.gradients({ input: inputs, targets, rule, score: ctx.score });
  return { gradient: r.inputGradient!, scores: r.scores };
}

/**
 * The named layer, or by default the last layer that keeps a spatial grid with more than one
 * position (what CAM methods need; a 1×1 grid such as a global pooling output has no map).
 */
export function resolveSpatialLayer(model: Model, name: string | undefined, method: string, log?: (m: string) => void): LayerInfo {
  const layers = model.layers();
  if (name) {
    const layer = findLayer(layers, name, model.name);
    if (!layer.spatial) {
      fail(`layer "${name}" has output [${layer.outputShape.join(', ')}], which has no spatial grid; ${method} needs a convolutional layer (try \`glassbox layers\`)`);
    }
    return layer;
  }
  const spatial = layers.filter((l) => l.spatial && l.outputShape.slice(0, -1).some((d) => d !== 1));
  if (spatial.length === 0) fail(`model ${model.name} has no layer with a spatial grid, so ${method} cannot be used`);
  const chosen = spatial[spatial.length - 1];
  log?.(`${method}: using layer ${chosen.name} [${chosen.outputShape.join(', ')}] (the last spatial layer; choose another with --layer)`);
  return chosen;
}
