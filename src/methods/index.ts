/** Registers every built-in method. Adding a method: write its file, add a line here. */
import { registerMethod, listMethods, getMethod } from './registry.js';
import { vanillaGradient } from './vanilla-gradient.js';
import { saliency } from './saliency.js';
import { gradientXInput } from './gradient-x-input.js';
import { guidedBackprop } from './guided-backprop.js';
import { deconvnet } from './deconvnet.js';
import { guidedGradCam } from './guided-grad-cam.js';
import { integratedGradients } from './integrated-gradients.js';
import { expectedGradients } from './expected-gradients.js';
import { smoothGrad, smoothGradSquared, varGrad } from './smoothgrad.js';
import { gradCam } from './cam/grad-cam.js';
import { gradCamPlusPlus } from './cam/grad-cam-plus-plus.js';
import { xgradCam } from './cam/xgrad-cam.js';
import { layerCam } from './cam/layer-cam.js';
import { eigenCam } from './cam/eigen-cam.js';
import { hiResCam } from './cam/hires-cam.js';
import { featureMapsMethod } from './layers/feature-maps.js';
import { occlusion } from './perturbation/occlusion.js';
import { rise } from './perturbation/rise.js';
import { lime } from './perturbation/lime.js';
import { kernelShap } from './perturbation/kernel-shap.js';
import { scoreCam } from './score-cam.js';
import { sise } from './sise.js';
import { dRise } from './detection/d-rise.js';

let done = false;

export function registerBuiltinMethods(): void {
  if (done) return;
  done = true;
  for (const m of [vanillaGradient, saliency, gradCam]) registerMethod(m);
  for (const m of [gradientXInput, guidedBackprop, deconvnet, guidedGradCam, integratedGradients, expectedGradients]) registerMethod(m);
  for (const m of [smoothGrad, smoothGradSquared, varGrad]) registerMethod(m);
  for (const m of [gradCamPlusPlus, xgradCam, layerCam, eigenCam, hiResCam]) registerMethod(m);
  registerMethod(featureMapsMethod);
  for (const m of [occlusion, rise, lime, kernelShap, scoreCam, sise, dRise]) registerMethod(m);
}

registerBuiltinMethods();

export { listMethods, getMethod };
export { explain } from './explain.js';
export type { Explanation } from './explanation.js';
export { featureMaps, featureMapGrid } from './layers/feature-maps.js';
export { visualizeFilters, filterVisualisationOptions } from './layers/filters.js';
export { tileGrid } from './layers/tile.js';
