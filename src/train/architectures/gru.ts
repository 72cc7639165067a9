/**
 * GRU classifier (see recurrent.ts). The MNIST-1D reference is a bidirectional GRU of hidden
 * size 6 whose every step's state is flattened into the linear layer (output: "sequence").
 */
import type { RnnConfig } from '../config.js';
import type { Architecture } from './common.js';
import { buildRecurrent } from './recurrent.js';

export const gru: Architecture<RnnConfig> = {
  name: 'gru',
  summary: 'stacked (optionally bidirectional) GRU over the first axis, then a dense head',
  build: (config, ctx) => buildRecurrent('gru', config, ctx),
};
