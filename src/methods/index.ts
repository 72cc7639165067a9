/** Registers every built-in method. Adding a method: write its file, add a line here. */
import { registerMethod, listMethods, getMethod } from './registry.js';
import { vanillaGradient } from './vanilla-gradient.js';
import { saliency } from './saliency.js';
import { gradCam } from './cam/grad-cam.js';

let done = false;

export function registerBuiltinMethods(): void {
  if (done) return;
  done = true;
  for (const m of [vanillaGradient, saliency, gradCam]) registerMethod(m);
}

registerBuiltinMethods();

export { listMethods, getMethod };
export { explain } from './explain.js';
export type { Explanation } from './explanation.js';
