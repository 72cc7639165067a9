/**
 * SGD (momentum, Nesterov), Adam and AdamW written against plain TF.js variables, because the
 * trainer needs what tf.train's optimizers do not offer together: decoupled weight decay
 * (AdamW, Loshchilov & Hutter 2019), a learning rate that changes every epoch, and a state that
 * can be saved and restored exactly for `--resume`.
 */
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import type { OptimizerConfig } from './config.js';

export interface OptimizerState {
  type: OptimizerConfig['type'];
  /** Updates applied so far (Adam's bias correction needs it). */
  step: number;
  /** Slot tensors in variable order: momentum for SGD; m then v for Adam(W). */
  slots: Array<{ shape: number[]; values: Float32Array }>;
}

export interface Optimizer {
  readonly type: OptimizerConfig['type'];
  /** One update of `variables` with `grads` (same order) at learning rate `lr`. */
  apply(grads: tf.Tensor[], lr: number): void;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
  dispose(): void;
}

/** Weight decay applies to kernels (dense, conv, recurrent, attention), not biases, norms or embeddings. */
export function decays(variableName: string): boolean {
  return /kernel/.test(variableName.split('/').pop() ?? '');
}

export function createOptimizer(config: OptimizerConfig, variables: tf.Variable[]): Optimizer {
  return config.type === 'sgd' ? new Sgd(config, variables) : new Adam(config, variables);
}

abstract class Base implements Optimizer {
  abstract readonly type: OptimizerConfig['type'];
  protected step = 0;
  protected readonly slots: tf.Variable[];
  protected readonly decayMask: boolean[];

  constructor(
    protected readonly variables: tf.Variable[],
    slotsPerVariable: number,
  ) {
    this.decayMask = variables.map((v) => decays(v.name));
    this.slots = [];
    for (let s = 0; s < slotsPerVariable; s++) {
      for (const v of variables) this.slots.push(tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    }
  }

  abstract apply(grads: tf.Tensor[], lr: number): void;

  getState(): OptimizerState {
    return {
      type: this.type,
      step: this.step,
      slots: this.slots.map((s) => ({ shape: [...s.shape], values: s.dataSync() as Float32Array })),
    };
  }

  setState(state: OptimizerState): void {
    if (state.type !== this.type || state.slots.length !== this.slots.length) {
      fail(`checkpoint optimizer state is for ${state.type} with ${state.slots.length} slots, the config asks for ${this.type}: resume with the config the run started with`);
    }
    state.slots.forEach((s, i) => {
      const want = this.slots[i].shape;
      if (s.shape.length !== want.length || s.shape.some((d, j) => d !== want[j])) {
        fail(`checkpoint optimizer slot ${i} has shape [${s.shape}], the model needs [${want}]: the checkpoint belongs to another model`);
      }
      this.slots[i].assign(tf.tensor(s.values, s.shape));
    });
    this.step = state.step;
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
  }
}

class Sgd extends Base {
  readonly type = 'sgd' as const;
  constructor(
    private readonly config: Extract<OptimizerConfig, { type: 'sgd' }>,
    variables: tf.Variable[],
  ) {
    super(variables, config.momentum > 0 ? 1 : 0);
  }

  apply(grads: tf.Tensor[], lr: number): void {
    const { momentum: mu, nesterov, weightDecay: wd } = this.config;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        let g = grads[i];
        if (wd > 0 && this.decayMask[i]) g = tf.add(g, tf.mul(w, wd));
        let update = g;
        if (mu > 0) {
          const buf = tf.add(tf.mul(this.slots[i], mu), g);
          this.slots[i].assign(buf);
          update = nesterov ? tf.add(g, tf.mul(buf, mu)) : buf;
        }
        w.assign(tf.sub(w, tf.mul(update, lr)));
      });
    });
    this.step++;
  }
}

class Adam extends Base {
  readonly type: 'adam' | 'adamw';
  constructor(
    private readonly config: Extract<OptimizerConfig, { type: 'adam' | 'adamw' }>,
    variables: tf.Variable[],
  ) {
    super(variables, 2);
    this.type = config.type;
  }

  apply(grads: tf.Tensor[], lr: number): void {
    const { beta1: b1, beta2: b2, epsilon: eps } = this.config;
    const wd = this.config.type === 'adamw' ? this.config.weightDecay : 0;
    const t = this.step + 1;
    const c1 = 1 / (1 - b1 ** t);
    const c2 = 1 / (1 - b2 ** t);
    const n = this.variables.length;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.slots[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.slots[n + i], b2), tf.mul(tf.square(g), 1 - b2));
        this.slots[i].assign(m);
        this.slots[n + i].assign(v);
        // Decoupled decay shrinks the weight itself, outside the adaptive step.
        const base = wd > 0 && this.decayMask[i] ? tf.mul(w, 1 - lr * wd) : w;
        const stepT = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), eps));
        w.assign(tf.sub(base, tf.mul(stepT, lr)));
      });
    });
    this.step = t;
  }
}
