import { z } from 'zod';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/** The signed gradient of the target score with respect to the input. */
export const vanillaGradient = defineMethod({
  name: 'gradient',
  title: 'Vanilla gradient',
  family: 'gradient',
  reference: 'Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional Networks" (signed ∂score/∂x; heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: z.strictObject({}),
  async attribute(ctx, inputs, targets) {
    const { gradient } = await inputGradient(ctx, inputs, targets);
    return { attributions: gradient };
  },
});
