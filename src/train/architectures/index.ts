/**
 * Architectures by name: the registry the trainer, the CLI and the docs read. Adding one is a
 * file and a line here.
 */
import { tf } from '../../runtime/tf.js';
import { createRng, type Seed } from '../../core/random.js';
import type { ArchitectureName, ModelConfig } from '../config.js';
import type { Architecture } from './common.js';
import { cnn } from './cnn.js';
import { cnn1d } from './cnn1d.js';
import { mlp } from './mlp.js';
import { lstm } from './lstm.js';
import { gru } from './gru.js';
import { vit } from './vit.js';
import { registerVitLayers } from './vit-layers.js';

export type { Architecture, BuildContext } from './common.js';
export { attentionMaps, type AttentionMap } from './vit.js';
export { MultiHeadSelfAttention, TokenEmbedding, TakeClassToken } from './vit-layers.js';

export const architectures: { [K in ArchitectureName]: Architecture<Extract<ModelConfig, { architecture: K }>> } = {
  cnn,
  cnn1d,
  mlp,
  lstm,
  gru,
  vit,
};

export interface BuildOptions {
  inputShape: number[];
  numClasses: number;
  /** Seed for every initialiser (the same seed builds the same initial weights). */
  seed: Seed;
}

/** Builds the model a config describes; it outputs logits (no softmax layer). */
export function buildModel(config: ModelConfig, options: BuildOptions): tf.LayersModel {
  const arch = architectures[config.architecture] as Architecture<ModelConfig>;
  const rng = createRng(`model:${options.seed}`);
  return arch.build(config, { inputShape: options.inputShape, numClasses: options.numClasses, rng });
}

/** Makes saved Glassbox models (including the ViT's custom layers) loadable. Idempotent. */
export function registerGlassboxLayers(): void {
  registerVitLayers();
}
