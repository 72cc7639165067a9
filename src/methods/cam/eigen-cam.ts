import { defineCam } from './base.js';
import { firstComponentProjection } from './eigen.js';

/** Eigen-CAM: the first principal component of the activations; class-agnostic, no gradients. */
export const eigenCam = defineCam({
  name: 'eigen-cam',
  title: 'Eigen-CAM',
  reference:
    'Muhammad & Yeasin 2020, "Eigen-CAM" (projection of the channel-centred activations on their first right singular vector, as pytorch-grad-cam; sign fixed to correlate positively with the channel sum; then ReLU). Ignores the target class',
  usesGradients: false,
  map: ({ activation, positions, channels }) =>
    firstComponentProjection(activation, positions, channels),
});
