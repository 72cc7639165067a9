import { defineCam } from './base.js';

/** HiResCAM: the element-wise product of gradients and activations, summed over channels. */
export const hiResCam = defineCam({
  name: 'hirescam',
  title: 'HiResCAM',
  reference:
    'Draelos & Carin 2020, "Use HiResCAM instead of Grad-CAM" (map = ReLU(Σ_k G_k ⊙ A_k); equals Grad-CAM when the layer is followed by global average pooling and a linear layer)',
  weighted: ({ activation, gradient }) => activation.map((a, i) => gradient[i] * a),
});
