import { z } from 'zod';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/** Guided backpropagation: the gradient with every ReLU passing back only positive signal. */
export const guidedBackprop = defineMethod({
  name: 'guided-backprop',
  title: 'Guided backpropagation',
  family: 'gradient',
  reference:
    'Springenberg et al. 2015, "Striving for Simplicity" (at each ReLU, R_in = R_out · [x > 0] · [R_out > 0]; signed, heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: z.strictObject({}),
  async attribute(ctx, inputs, targets) {
    const { gradient } = await inputGradient(ctx, inputs, targets, 'guided');
    return { attributions: gradient };
  },
});
