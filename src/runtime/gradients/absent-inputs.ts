/**
 * Lets gradients flow through kernels called with optional inputs left out.
 *
 * tf.batchNorm without scale or offset hands the engine `{scale: undefined}` / `{offset:
 * undefined}`. When recording for backprop the engine then clones the missing scale it was told to
 * save, and puts an undefined input on the tape; either makes tf.grad fail with "Cannot read
 * properties of undefined" on every backend. Now an absent input is left off the tape, and saved
 * as ABSENT, a stand-in the engine can dispose (it disposes every saved entry after backprop).
 */
import { tf } from '../core.js';

/** What a gradient function receives for a saved input that was never given. */
export const ABSENT = Object.freeze({ dispose(): void {} });

/** The saved tensor, or undefined if it stands for an absent input. */
export function savedOrAbsent(t: unknown): tf.Tensor | undefined {
  return t instanceof tf.Tensor ? t : undefined;
}

interface EngineInternals {
  saveTensorsForBackwardMode(tensors: (tf.Tensor | undefined)[]): unknown[];
  addTapeNode(kernelName: string, inputs: tf.NamedTensorMap, ...rest: unknown[]): void;
  glassboxAbsentInputs?: true;
}

export function tolerateAbsentInputs(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.glassboxAbsentInputs) return;
  engine.glassboxAbsentInputs = true;
  const save = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) =>
    tensors.map((t) => (t == null ? ABSENT : save([t])[0]));
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (kernelName, inputs, ...rest) => {
    const present: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(inputs)) if (t != null) present[name] = t;
    addTapeNode(kernelName, present, ...rest);
  };
}
