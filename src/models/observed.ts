/**
 * The same model, with a look at what goes through it: SAG counts the heuristic's passes,
 * `explain` keeps the class outputs a method's own pass over the inputs already computed.
 * A Proxy, so whatever else the model is (a detector's `detect`, an engine's extras) stays
 * reachable, every call runs on the model itself, and `dispose` does nothing (the wrapper does
 * not own the model).
 */
import type { NdArray } from '../core/ndarray.js';
import type { GradientRequest, GradientResult, Model } from './model.js';

export interface ModelObserver {
  predict?(input: NdArray, output: NdArray): void;
  activations?(input: NdArray): void;
  gradients?(request: GradientRequest, result: GradientResult): void;
  channelGradient?(input: NdArray): void;
}

export function observedModel<M extends Model>(model: M, observer: ModelObserver): M {
  const own: Partial<Model> = {
    predict: async (x) => {
      const out = await model.predict(x);
      observer.predict?.(x, out);
      return out;
    },
    activations: async (x, layers) => {
      const out = await model.activations(x, layers);
      observer.activations?.(x);
      return out;
    },
    gradients: async (r) => {
      const out = await model.gradients(r);
      observer.gradients?.(r, out);
      return out;
    },
    dispose: () => undefined,
  };
  if (model.channelGradient) {
    own.channelGradient = async (r) => {
      const out = await model.channelGradient!(r);
      observer.channelGradient?.(r.input);
      return out;
    };
  }
  return new Proxy(model, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(own, prop)) return own[prop as keyof Model];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
