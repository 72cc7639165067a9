import { modifiedBackprop } from './modified-backprop.js';

/** Guided backpropagation: the gradient with every ReLU passing back only positive signal. */
export const guidedBackprop = modifiedBackprop(
  'guided-backprop',
  'Guided backpropagation',
  'Springenberg et al. 2015, "Striving for Simplicity" (at each ReLU, R_in = R_out · [x > 0] · [R_out > 0]; signed, heatmap sums channels)',
  'guided',
);
