import { z } from 'zod';
import { zip } from '../core/ndarray.js';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/** Gradient times input: the first-order Taylor contribution of each input value. */
export const gradientXInput = defineMethod({
  name: 'gradient-x-input',
  title: 'Gradient × input',
  family: 'gradient',
  reference:
    'Shrikumar et al. 2016, "Not Just a Black Box" (x ⊙ ∂score/∂x, signed; equals Integrated Gradients with a zero baseline on a linear model; heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: z.strictObject({}),
  async attribute(ctx, inputs, targets) {
    const { gradient } = await inputGradient(ctx, inputs, targets);
    return { attributions: zip(gradient, inputs, (g, x) => g * x) };
  },
});
