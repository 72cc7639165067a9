import { defineCam } from './base.js';

/**
 * Grad-CAM++: pixel-weighted positive gradients. The second and third derivatives are taken as
 * powers of the first (exact when the explained score is exp(S) of a piecewise-linear S, the
 * paper's assumption), as in the paper's code and pytorch-grad-cam.
 */
export const gradCamPlusPlus = defineCam({
  name: 'grad-cam++',
  title: 'Grad-CAM++',
  reference:
    'Chattopadhyay et al. 2018, "Grad-CAM++" (α = G²/(2G² + Σ_ij A·G³), 0 where G = 0; w_k = Σ_ij α·ReLU(G); pytorch-grad-cam\'s eps 1e-6)',
  weights: ({ activation, gradient, positions, channels }) => {
    const sumA = new Float64Array(channels);
    for (let p = 0; p < positions; p++)
      for (let k = 0; k < channels; k++) sumA[k] += activation[p * channels + k];
    const w = new Float64Array(channels);
    for (let p = 0; p < positions; p++) {
      for (let k = 0; k < channels; k++) {
        const g = gradient[p * channels + k];
        if (g <= 0) continue; // ReLU(G) is zero, and α is 0 where G = 0
        const g2 = g * g;
        w[k] += (g * g2) / (2 * g2 + sumA[k] * g2 * g + 1e-6);
      }
    }
    return Float32Array.from(w);
  },
});
