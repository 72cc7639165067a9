/**
 * Custom TF.js layers of the Vision Transformer. Each is registered with
 * `tf.serialization.registerClass`, so a saved ViT reloads with `tf.loadLayersModel` in any
 * process that has imported this module (import it, or `registerGlassboxLayers()` from
 * architectures/index.ts, before loading).
 */
import { tf } from '../../runtime/tf.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = Array<number | null>;
type Kwargs = Record<string, unknown>;

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

function oneShape(s: Shape | Shape[]): Shape {
  return Array.isArray(s[0]) ? (s[0] as Shape) : (s as Shape);
}

export interface TokenEmbeddingArgs extends LayerArgs {
  /** Prepend a learned class token. */
  classToken: boolean;
  seed?: number;
}

/**
 * Patch tokens [N, P, D] → [N, P(+1), D]: prepends the learned class token (when on) and adds a
 * learned position embedding per token.
 */
export class TokenEmbedding extends tf.layers.Layer {
  static className = 'GlassboxTokenEmbedding';
  readonly classToken: boolean;
  readonly seed: number | undefined;
  private cls: tf.LayerVariable | undefined;
  private pos: tf.LayerVariable | undefined;

  constructor(args: TokenEmbeddingArgs) {
    super(args);
    this.classToken = args.classToken;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, tokens, dim] = oneShape(inputShape) as number[];
    const init = (salt: number) =>
      tf.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed === undefined ? undefined : this.seed + salt });
    if (this.classToken) this.cls = this.addWeight('cls_token', [1, 1, dim], 'float32', init(1));
    this.pos = this.addWeight('position', [tokens + (this.classToken ? 1 : 0), dim], 'float32', init(2));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, tokens, dim] = oneShape(inputShape);
    return [n, (tokens as number) + (this.classToken ? 1 : 0), dim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let x = one(inputs);
      if (this.cls) {
        const cls = tf.tile(this.cls.read(), [x.shape[0], 1, 1]);
        x = tf.concat([cls, x], 1);
      }
      return tf.add(x, this.pos!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), classToken: this.classToken, seed: this.seed ?? null };
  }
}

export interface AttentionArgs extends LayerArgs {
  heads: number;
  seed?: number;
}

/**
 * Multi-head self-attention over tokens [N, T, D] with fused q/k/v projection and an output
 * projection. `attentionWeights(x)` returns the softmax matrices [N, heads, T, T] (each row sums
 * to 1: how much a query token attends to every key token).
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'GlassboxMultiHeadSelfAttention';
  readonly heads: number;
  readonly seed: number | undefined;
  private qkvKernel: tf.LayerVariable | undefined;
  private qkvBias: tf.LayerVariable | undefined;
  private outKernel: tf.LayerVariable | undefined;
  private outBias: tf.LayerVariable | undefined;

  constructor(args: AttentionArgs) {
    super(args);
    this.heads = args.heads;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = oneShape(inputShape)[2] as number;
    if (dim % this.heads !== 0) throw new Error(`attention dim ${dim} is not divisible by ${this.heads} heads`);
    const glorot = (salt: number) =>
      tf.initializers.glorotUniform({ seed: this.seed === undefined ? undefined : this.seed + salt });
    this.qkvKernel = this.addWeight('qkv_kernel', [dim, 3 * dim], 'float32', glorot(1));
    this.qkvBias = this.addWeight('qkv_bias', [3 * dim], 'float32', tf.initializers.zeros());
    this.outKernel = this.addWeight('out_kernel', [dim, dim], 'float32', glorot(2));
    this.outBias = this.addWeight('out_bias', [dim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return oneShape(inputShape);
  }

  /** q, k, v as [N·heads, T, D/heads]. */
  private project(x: tf.Tensor): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
    const [n, t, d] = x.shape as [number, number, number];
    const h = this.heads;
    const qkv = tf.add(tf.matMul(tf.reshape(x, [n * t, d]), this.qkvKernel!.read() as tf.Tensor2D), this.qkvBias!.read());
    const part = (i: number) =>
      tf.reshape(
        tf.transpose(tf.reshape(tf.slice(qkv, [0, i * d], [n * t, d]), [n, t, h, d / h]), [0, 2, 1, 3]),
        [n * h, t, d / h],
      ) as tf.Tensor3D;
    return [part(0), part(1), part(2)];
  }

  private softmaxScores(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
    const scale = 1 / Math.sqrt(q.shape[2]);
    return tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)) as tf.Tensor3D;
  }

  /** Attention matrices [N, heads, T, T] for tokens x [N, T, D] (the layer's input). */
  attentionWeights(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, t] = x.shape as [number, number, number];
      const [q, k] = this.project(x);
      return tf.reshape(this.softmaxScores(q, k), [n, this.heads, t, t]) as tf.Tensor4D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [n, t, d] = x.shape as [number, number, number];
      const [q, k, v] = this.project(x);
      const mixed = tf.matMul(this.softmaxScores(q, k), v); // [N·h, T, d/h]
      const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [n, this.heads, t, d / this.heads]), [0, 2, 1, 3]), [n * t, d]);
      const out = tf.add(tf.matMul(merged, this.outKernel!.read() as tf.Tensor2D), this.outBias!.read());
      return tf.reshape(out, [n, t, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, seed: this.seed ?? null };
  }
}

/** Tokens [N, T, D] → token 0 [N, D] (the class token). */
export class TakeClassToken extends tf.layers.Layer {
  static className = 'GlassboxTakeClassToken';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, , d] = oneShape(inputShape);
    return [n, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      return tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [x.shape[0], x.shape[2] as number]);
    });
  }
}

let registered = false;
/** Registers the custom classes for deserialisation (idempotent). */
export function registerVitLayers(): void {
  if (registered) return;
  registered = true;
  tf.serialization.registerClass(TokenEmbedding);
  tf.serialization.registerClass(MultiHeadSelfAttention);
  tf.serialization.registerClass(TakeClassToken);
}
registerVitLayers();
