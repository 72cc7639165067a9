import { defineMethod } from './method.js';
import { inputGradient } from './gradients.js';
import { camOptions, computeCams, minMaxNormalise } from './cam/base.js';
import { gradCamVariant } from './cam/grad-cam.js';

/** Guided Grad-CAM: guided backpropagation masked by the (normalised, upsampled) Grad-CAM map. */
export const guidedGradCam = defineMethod({
  name: 'guided-grad-cam',
  title: 'Guided Grad-CAM',
  family: 'gradient',
  reference:
    'Selvaraju et al. 2017, "Grad-CAM" §3 (guided backprop ⊙ upsampled Grad-CAM; the map min-max normalised to [0, 1] first, as pytorch-grad-cam; signed, heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal'],
  reduce: 'sum',
  signed: true,
  options: camOptions,
  async attribute(ctx, inputs, targets, options) {
    const cams = await computeCams(ctx, gradCamVariant, inputs, targets, options);
    const { gradient } = await inputGradient(ctx, inputs, targets, 'guided');
    const n = inputs.shape[0];
    const per = gradient.data.length / n;
    const channels = ctx.model.inputShape[ctx.model.inputShape.length - 1];
    const out = new Float32Array(gradient.data.length);
    for (let i = 0; i < n; i++) {
      const mask = minMaxNormalise(cams.maps[i]);
      for (let j = 0; j < per; j++)
        out[i * per + j] = gradient.data[i * per + j] * mask[Math.floor(j / channels)];
    }
    return {
      attributions: { data: out, shape: [...gradient.shape] },
      layer: cams.layers.join(','),
      extras: cams.extras,
    };
  },
});
