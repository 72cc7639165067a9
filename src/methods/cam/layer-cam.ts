import { defineCam } from './base.js';

/** Layer-CAM: each position weighted by its own positive gradient. */
export const layerCam = defineCam({
  name: 'layer-cam',
  title: 'Layer-CAM',
  reference: 'Jiang et al. 2021, "LayerCAM" (map = ReLU(Σ_k ReLU(G_k)·A_k), per position)',
  weighted: ({ activation, gradient }) =>
    activation.map((a, i) => (gradient[i] > 0 ? gradient[i] * a : 0)),
});
