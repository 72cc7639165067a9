/** LSTM classifier (see recurrent.ts for how inputs become sequences). */
import type { RnnConfig } from '../config.js';
import type { Architecture } from './common.js';
import { buildRecurrent } from './recurrent.js';

export const lstm: Architecture<RnnConfig> = {
  name: 'lstm',
  summary: 'stacked (optionally bidirectional) LSTM over the first axis, then a dense head',
  build: (config, ctx) => buildRecurrent('lstm', config, ctx),
};
