import { defineCam } from './base.js';

/** XGrad-CAM: gradients averaged with the activations' own spatial distribution as weights. */
export const xgradCam = defineCam({
  name: 'xgrad-cam',
  title: 'XGrad-CAM',
  reference:
    'Fu et al. 2020, "Axiom-based Grad-CAM" (w_k = Σ_ij A_k,ij·G_k,ij / (Σ_ij A_k,ij + 1e-7), as pytorch-grad-cam)',
  weights: ({ activation, gradient, positions, channels }) => {
    const sumA = new Float64Array(channels);
    const sumAG = new Float64Array(channels);
    for (let p = 0; p < positions; p++) {
      for (let k = 0; k < channels; k++) {
        const a = activation[p * channels + k];
        sumA[k] += a;
        sumAG[k] += a * gradient[p * channels + k];
      }
    }
    return Float32Array.from(sumAG, (s, k) => s / (sumA[k] + 1e-7));
  },
});
