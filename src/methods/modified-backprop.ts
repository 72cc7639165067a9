import { z } from 'zod';
import type { BackwardRule } from '../models/model.js';
import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';

/**
 * A method that is the input gradient under a modified ReLU backward rule (guided backprop,
 * deconvnet): they differ only in the rule the model's backward pass applies.
 */
export function modifiedBackprop(name: string, title: string, reference: string, rule: BackwardRule) {
  return defineMethod({
    name,
    title,
    family: 'gradient',
    reference,
    needs: 'gradients',
    kinds: ['image', 'signal', 'table'],
    reduce: 'sum',
    signed: true,
    options: z.strictObject({}),
    async attribute(ctx, inputs, targets) {
      const { gradient } = await inputGradient(ctx, inputs, targets, rule);
      return { attributions: gradient };
    },
  });
}
