import { z } from 'zod';
import { map } from '../core/ndarray.js';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/** Simonyan et al.'s saliency map: |gradient|, heatmap = max over channels. */
export const saliency = defineMethod({
  name: 'saliency',
  title: 'Saliency (|gradient|)',
  family: 'gradient',
  reference: 'Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional Networks" (|∂score/∂x|, max over colour channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'absmax',
  signed: false,
  options: z.strictObject({}),
  async attribute(ctx, inputs, targets) {
    const { gradient } = await inputGradient(ctx, inputs, targets);
    return { attributions: map(gradient, Math.abs) };
  },
});
