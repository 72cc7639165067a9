/**
 * Points α ∈ [0, 1] and weights for ∫₀¹ g(α) dα, the path integral Integrated Gradients takes.
 * Names follow Captum's `method` argument.
 */
import { fail } from '../core/errors.js';

export const QUADRATURES = [
  'riemann-left',
  'riemann-right',
  'riemann-middle',
  'riemann-trapezoid',
  'gauss-legendre',
] as const;
export type Quadrature = (typeof QUADRATURES)[number];

export interface Rule {
  alphas: Float64Array;
  weights: Float64Array;
}

export function quadrature(method: Quadrature, steps: number): Rule {
  if (!Number.isInteger(steps) || steps < 1) fail(`steps must be a positive integer, got ${steps}`);
  const alphas = new Float64Array(steps);
  const weights = new Float64Array(steps);
  switch (method) {
    case 'riemann-left':
    case 'riemann-right':
    case 'riemann-middle': {
      const shift = method === 'riemann-left' ? 0 : method === 'riemann-right' ? 1 : 0.5;
      for (let k = 0; k < steps; k++) {
        alphas[k] = (k + shift) / steps;
        weights[k] = 1 / steps;
      }
      return { alphas, weights };
    }
    case 'riemann-trapezoid': {
      if (steps < 2) fail('the trapezoid rule needs at least 2 steps');
      for (let k = 0; k < steps; k++) {
        alphas[k] = k / (steps - 1);
        weights[k] = (k === 0 || k === steps - 1 ? 0.5 : 1) / (steps - 1);
      }
      return { alphas, weights };
    }
    case 'gauss-legendre':
      return gaussLegendre(steps);
  }
}

/** Gauss–Legendre nodes by Newton's method on P_n (three-term recurrence), mapped to [0, 1]. */
function gaussLegendre(n: number): Rule {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    // Recompute P_n' at the converged node for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    dp = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * dp * dp);
    // Node i runs from near +1 down; store ascending α.
    alphas[n - 1 - i] = (x + 1) / 2;
    weights[n - 1 - i] = w / 2;
  }
  return { alphas, weights };
}
