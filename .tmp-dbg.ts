import { initTf, tf } from './src/runtime/tf.js';
import { exportTfjsModel } from './src/onnx/export-tfjs.js';
import { runOnnx, withOutputs, relError } from './test/onnx-export/helpers.js';
import { reseedWeights, seeded } from './test/helpers/models.js';
const L = tf.layers; type S = tf.SymbolicTensor;
await initTf();
  const input = tf.input({ shape: [6, 8, 2], name: 'x' });
  const pw = L.conv2d({ filters: 3, kernelSize: 1, name: 'pw' }).apply(input) as S;
  const leaky = L.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(pw) as S;
  const capped = L.reLU({ maxValue: 0.5, name: 'relu_cap' }).apply(leaky) as S;
  const elu = L.elu({ name: 'elu' }).apply(pw) as S;
  const thr = L.thresholdedReLU({ theta: 0.1, name: 'thr' }).apply(pw) as S;
  const sum = L.add({ name: 'sum3' }).apply([capped, elu, thr]) as S;
  const crop = L.cropping2D({ cropping: [[1, 0], [2, 1]], name: 'crop' }).apply(sum) as S; // [5, 5, 3]
  const rs = L.reshape({ targetShape: [5, 15], name: 'reshape' }).apply(crop) as S;
  const perm = L.permute({ dims: [2, 1], name: 'permute' }).apply(rs) as S; // [15, 5]
  const ln = L.layerNormalization({ name: 'ln' }).apply(perm) as S;
  const da = L.dense({ units: 4, activation: 'sigmoid', name: 'd_a' }).apply(ln) as S;
  const db = L.dense({ units: 4, activation: 'hardSigmoid', name: 'd_b' }).apply(ln) as S;
  const mx = L.maximum({ name: 'max' }).apply([da, db]) as S;
  const mn = L.minimum({ name: 'min' }).apply([da, db]) as S;
  const avg = L.average({ name: 'avg' }).apply([da, db]) as S;
  const cat = L.concatenate({ axis: 1, name: 'cat_len' }).apply([mx, mn, avg]) as S; // [45, 4]
  const bnLen = L.batchNormalization({ axis: 1, name: 'bn_len' }).apply(cat) as S;
  const sm = L.softmax({ axis: -1, name: 'sm3' }).apply(bnLen) as S;
  const resc = L.rescaling({ scale: 2, offset: -0.25, name: 'resc' }).apply(sm) as S;
  const back = L.reshape({ targetShape: [9, 5, 4], name: 'to_image' }).apply(resc) as S;
  const bn4 = L.batchNormalization({ name: 'bn4', center: false }).apply(back) as S;
  const flat = L.flatten({ name: 'flat' }).apply(bn4) as S;
  const out = L.dense({ units: 3, activation: 'softsign', name: 'out' }).apply(flat) as S;
  const model = tf.model({ inputs: input, outputs: out });
reseedWeights(model, 12);
const { bytes, layers } = exportTfjsModel(model);
const names = layers.map(l => l.tensor).filter(n => n !== 'out');
const x = seeded(2*6*8*2, 3);
const got = await runOnnx(withOutputs(bytes, names), { x: { data: x, shape: [2, 6, 8, 2] } });
const xt = tf.tensor(x, [2,6,8,2]);
for (const l of layers) {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(l.name).output as S });
  const y = sub.predict(xt) as tf.Tensor;
  const t = got[l.tensor];
  let d = t.data as Float32Array;
  const dims = t.dims as number[];
  if (dims.length >= 3) d = tf.transpose(tf.tensor(d, dims), [0, ...dims.slice(2).map((_, i) => i + 2), 1]).dataSync() as Float32Array;
  console.log(l.name, dims, y.shape, relError(d, y.dataSync()));
}
