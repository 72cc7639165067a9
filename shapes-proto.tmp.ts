import { initTf, tf } from './src/runtime/tf.js';
import { generateShapes } from './src/train/data/shapes.js';
import { TfjsModel } from './src/models/tfjs-model.js';
import { explain } from './src/methods/index.js';
import { argmaxRows } from './src/core/ndarray.js';

const backend = await initTf();
console.log('backend', backend);
tf.setSeed?.(1);
const S = 24;
const ds = generateShapes({ size: S, classes: 3, trainCount: +(process.env.N ?? 900), testCount: 120, distractors: 1, validationFraction: 0, seed: 1 });
const m = tf.sequential();
const ki = tf.initializers.glorotUniform({ seed: 1 });
m.add(tf.layers.conv2d({ inputShape: [S, S, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: ki, name: 'c1' }));
m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }));
m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'c2' }));
m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p2' }));
m.add(tf.layers.conv2d({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), name: 'c3' }));
m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }), name: 'logits' }));
m.compile({ optimizer: tf.train.adam(+(process.env.LR ?? 0.01)), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
const xs = tf.tensor(ds.train.x, [ds.train.count, S, S, 3]);
const ys = tf.oneHot(tf.tensor1d(ds.train.y, 'int32'), 3);
let t = performance.now();
const h = await m.fit(xs, ys, { epochs: +(process.env.EP ?? 12), batchSize: 32, shuffle: true, verbose: 0 }); console.log('loss', h.history.loss.map((v: any) => (+v).toFixed(3)).join(' '));
console.log('train ms', performance.now() - t);
const model = new TfjsModel(m);
const test = { data: ds.test.x, shape: [ds.test.count, S, S, 3] };
const pred = argmaxRows(await model.predict(test));
const correct = pred.map((p, i) => (p === ds.test.y[i] ? i : -1)).filter((i) => i >= 0);
console.log('accuracy', correct.length / ds.test.count);
const idx = correct.slice(0, 40);
const per = S * S * 3;
const sub = { data: new Float32Array(idx.length * per), shape: [idx.length, S, S, 3] };
idx.forEach((i, r) => sub.data.set(ds.test.x.subarray(i * per, (i + 1) * per), r * per));
if (process.env.SKIP) process.exit(0);
for (const [method, options] of [['rise', { masks: 500, gridSize: 6 }], ['occlusion', { patch: 4, stride: 2 }], ['score-cam', {}], ['sise', {}]] as const) {
  t = performance.now();
  const ex = await explain(model, sub, method, { targets: idx.map((i) => ds.test.y[i]), options: options as any });
  let hits = 0;
  ex.forEach((e, r) => {
    let best = 0;
    for (let p = 1; p < S * S; p++) if (e.heatmap.data[p] > e.heatmap.data[best]) best = p;
    if (ds.test.masks![idx[r] * S * S + best]) hits++;
  });
  console.log(method, 'hit rate', hits / idx.length, 'ms', (performance.now() - t).toFixed(0));
}
