/**
 * Lets gradients flow through kernels called with optional inputs left out.
 *
 * tf.batchNorm without scale or offset hands the engine `{scale: undefined}` / `{offset:
 * undefined}`. When recording for backprop the engine then clones the missing scale it was told to
 * save, and puts an undefined input on the tape; either makes tf.grad fail with "Cannot read
 * properties of undefined" on every backend. The two engine steps involved now skip absent
 * inputs; nothing else changes.
 */
import { tf } from '../core.js';

interface EngineInternals {
  saveTensorsForBackwardMode(tensors: (tf.Tensor | undefined)[]): (tf.Tensor | undefined)[];
  addTapeNode(kernelName: string, inputs: tf.NamedTensorMap, ...rest: unknown[]): void;
  glassboxAbsentInputs?: true;
}

export function tolerateAbsentInputs(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.glassboxAbsentInputs) return;
  engine.glassboxAbsentInputs = true;
  const save = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) => tensors.map((t) => (t == null ? t : save([t])[0]));
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (kernelName, inputs, ...rest) => {
    const present: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(inputs)) if (t != null) present[name] = t;
    addTapeNode(kernelName, present, ...rest);
  };
}
