import { z } from 'zod';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/** Deconvnet: the backward pass with each ReLU applied to the returning signal instead. */
export const deconvnet = defineMethod({
  name: 'deconvnet',
  title: 'Deconvnet',
  family: 'gradient',
  reference:
    'Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks" (at each ReLU, R_in = ReLU(R_out), ignoring the forward activation; max-pool switches kept; signed, heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: z.strictObject({}),
  async attribute(ctx, inputs, targets) {
    const { gradient } = await inputGradient(ctx, inputs, targets, 'deconvnet');
    return { attributions: gradient };
  },
});
