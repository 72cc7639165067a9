import { it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { input, signalNet, wrap } from './fixtures.js';
it('dbg', async () => {
  await initTf();
  const model = wrap(signalNet());
  const x = input([2, 16, 2], 101, 1);
  for (const m of ['grad-cam', 'guided-backprop', 'guided-grad-cam', 'gradient']) {
    const es = await explain(model, x, m);
    console.log(m, es.map((e) => e.target + ':' + Array.from(e.heatmap.data).map((v) => v.toFixed(3)).join(' ')).join(' | '));
  }
});
