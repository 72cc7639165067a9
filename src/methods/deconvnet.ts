import { modifiedBackprop } from './modified-backprop.js';

/** Deconvnet: the backward pass with each ReLU applied to the returning signal instead. */
export const deconvnet = modifiedBackprop(
  'deconvnet',
  'Deconvnet',
  'Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks" (at each ReLU, R_in = ReLU(R_out), ignoring the forward activation; max-pool switches kept; signed, heatmap sums channels)',
  'deconvnet',
);
