import { channelMeans, defineCam, type CamVariant } from './base.js';

/** Grad-CAM: channel weights are the spatially averaged gradients. */
export const gradCamVariant: CamVariant = {
  name: 'grad-cam',
  title: 'Grad-CAM',
  reference:
    'Selvaraju et al. 2017, "Grad-CAM" (w_k = mean over positions of ∂score/∂A_k; map = ReLU(Σ_k w_k A_k), bilinearly upsampled)',
  weights: ({ gradient, positions, channels }) => channelMeans(gradient, positions, channels),
};

export const gradCam = defineCam(gradCamVariant);
