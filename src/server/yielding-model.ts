/**
 * Jobs compute on the server's own thread. Engine calls that resolve without touching I/O never
 * let the event loop run, so a long method would hold every other request (and the cancel
 * button) until it ends. This wrapper gives the loop a turn before each engine call and stops
 * there once the job is cancelled. It keeps the model's prototype (instanceof still holds).
 */
import type { Model } from '../models/model.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function yieldingModel(model: Model, signal?: AbortSignal): Model {
  const wrapped = Object.create(model) as Model;
  const guard = async () => {
    await turn();
    if (signal?.aborted) throw new Error('cancelled');
  };
  wrapped.predict = async (input) => {
    await guard();
    return model.predict(input);
  };
  wrapped.activations = async (input, layers) => {
    await guard();
    return model.activations(input, layers);
  };
  wrapped.gradients = async (request) => {
    await guard();
    return model.gradients(request);
  };
  if (model.channelGradient) {
    const channelGradient = model.channelGradient.bind(model);
    wrapped.channelGradient = async (request) => {
      await guard();
      return channelGradient(request);
    };
  }
  // The cache owns the model: a job cannot dispose it.
  wrapped.dispose = () => {};
  return wrapped;
}
