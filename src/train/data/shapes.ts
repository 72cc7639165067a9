/**
 * Synthetic "shapes": one class-deciding object (circle, square, triangle, …) at a random
 * position, size, rotation and colour on a noisy, shaded background, plus distractor lines and
 * dots that carry no class information. Every example comes with the pixel mask of the deciding
 * object and its bounding box, so explanation metrics and detectors have ground truth.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../../core/random.js';
import type { Dataset, Split } from './dataset.js';
import { carveValidation, commonOptionsShape, parseOptions } from './split.js';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export const shapesOptionsSchema = z
  .object({
    ...commonOptionsShape,
    trainCount: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe('training examples (before validation)'),
    testCount: z.number().int().positive().default(500).describe('test examples'),
    size: z
      .number()
      .int()
      .min(16)
      .max(512)
      .default(32)
      .describe('image height and width in pixels'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(3)
      .describe('1 (grey) or 3 (RGB)'),
    classes: z
      .number()
      .int()
      .min(2)
      .max(SHAPE_CLASSES.length)
      .default(4)
      .describe(`number of classes, from ${SHAPE_CLASSES.join(', ')}`),
    distractors: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(3)
      .describe('at most this many distractor lines/dots per image'),
    noise: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('std of the per-pixel Gaussian background noise'),
    minScale: z
      .number()
      .gt(0)
      .max(0.5)
      .default(0.12)
      .describe('smallest object radius as a fraction of the size'),
    maxScale: z
      .number()
      .gt(0)
      .max(0.5)
      .default(0.25)
      .describe('largest object radius as a fraction of the size'),
  })
  .strict()
  .refine((o) => o.minScale <= o.maxScale, {
    message: 'minScale must not exceed maxScale',
    path: ['minScale'],
  })
  .refine((o) => o.minScale * o.size >= 2, {
    message: 'objects would be under 2 px in radius: raise size or minScale',
    path: ['minScale'],
  });
export type ShapesOptions = z.input<typeof shapesOptionsSchema>;
type Args = z.output<typeof shapesOptionsSchema>;

/** Generates the data set; train and test come from separate streams of the same seed. */
export function generateShapes(options: ShapesOptions = {}): Dataset {
  const args = parseOptions(shapesOptionsSchema, options, 'shapes');
  const inputShape = [args.size, args.size, args.channels];
  const full = generateSplit(args, args.trainCount, createRng(`shapes:train:${args.seed}`));
  const test = generateSplit(args, args.testCount, createRng(`shapes:test:${args.seed}`));
  const { train, validation } = carveValidation(
    full,
    inputShape,
    args.validationFraction,
    args.seed,
  );
  const classNames = SHAPE_CLASSES.slice(0, args.classes);
  const ds: Dataset = {
    name: 'shapes',
    kind: 'image',
    inputShape,
    classNames,
    train,
    test,
    normalisation: { scale: 1 },
    provenance:
      `generated: Glassbox shapes (${classNames.join('/')}), ${args.size}×${args.size}×${args.channels}, seed ${args.seed}, ` +
      `${args.trainCount} train / ${args.testCount} test, ≤${args.distractors} distractors, noise ${args.noise}, ` +
      `radius ${args.minScale}–${args.maxScale} of size; validation ${validation?.count ?? 0} held out of train (stratified)`,
  };
  if (validation) ds.validation = validation;
  return ds;
}

function generateSplit(args: Args, count: number, rng: Rng): Split {
  const { size, channels } = args;
  const pixels = size * size;
  const x = new Float32Array(count * pixels * channels);
  const y = new Int32Array(count);
  const masks = new Uint8Array(count * pixels);
  const boxes = new Float32Array(count * 4);
  // Balanced labels in random order.
  for (let i = 0; i < count; i++) y[i] = i % args.classes;
  rng.shuffle(y);
  for (let i = 0; i < count; i++) {
    const img = x.subarray(i * pixels * channels, (i + 1) * pixels * channels);
    const mask = masks.subarray(i * pixels, (i + 1) * pixels);
    drawExample(img, mask, SHAPE_CLASSES[y[i]], args, rng);
    boxes.set(maskBox(mask, size, size), i * 4);
  }
  return { x, y, count, masks, boxes };
}

/** [x0, y0, x1, y1] of the set pixels of a H×W mask, x1/y1 exclusive; zeros when empty. */
export function maskBox(
  mask: ArrayLike<number>,
  height: number,
  width: number,
): [number, number, number, number] {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (!mask[r * width + c]) continue;
      if (c < x0) x0 = c;
      if (c + 1 > x1) x1 = c + 1;
      if (r < y0) y0 = r;
      if (r + 1 > y1) y1 = r + 1;
    }
  }
  return x1 === 0 ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

function drawExample(
  img: Float32Array,
  mask: Uint8Array,
  shape: ShapeClass,
  args: Args,
  rng: Rng,
): void {
  const { size, channels } = args;
  // Background: a random colour with a gentle linear shading and per-pixel noise.
  const bg = Array.from({ length: channels }, () => rng.uniform(0.05, 0.95));
  const gx = rng.uniform(-0.1, 0.1);
  const gy = rng.uniform(-0.1, 0.1);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const shade = gx * (c / size - 0.5) + gy * (r / size - 0.5);
      for (let k = 0; k < channels; k++)
        img[(r * size + c) * channels + k] = bg[k] + shade + rng.normal(0, args.noise);
    }
  }
  // Distractors: thin lines and small dots in random colours, drawn under the object.
  const nd = rng.int(args.distractors + 1);
  for (let d = 0; d < nd; d++) {
    const colour = Array.from({ length: channels }, () => rng.next());
    if (rng.chance(0.5)) drawLine(img, size, channels, colour, rng);
    else drawDot(img, size, channels, colour, rng);
  }
  // The deciding object, in a colour far from the background in every channel.
  const radius = rng.uniform(args.minScale, args.maxScale) * size;
  const cx = rng.uniform(radius, size - 1 - radius);
  const cy = rng.uniform(radius, size - 1 - radius);
  const angle = rng.uniform(-15, 15) * (Math.PI / 180);
  const colour = bg.map((b) => (b + 0.5 + rng.uniform(-0.15, 0.15)) % 1);
  const inside = insideTest(shape, radius);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const dx = c - cx;
      const dy = r - cy;
      // Into the object's own frame (undo its rotation).
      if (!inside(cos * dx + sin * dy, -sin * dx + cos * dy)) continue;
      mask[r * size + c] = 1;
      for (let k = 0; k < channels; k++)
        img[(r * size + c) * channels + k] = colour[k] + rng.normal(0, args.noise / 2);
    }
  }
  for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i]));
}

/** Point-in-shape test in the object's frame (u right, v down), for an object of radius `r`. */
function insideTest(shape: ShapeClass, r: number): (u: number, v: number) => boolean {
  switch (shape) {
    case 'circle':
      return (u, v) => u * u + v * v <= r * r;
    case 'ring': {
      const inner = 0.55 * r;
      return (u, v) => {
        const d2 = u * u + v * v;
        return d2 <= r * r && d2 >= inner * inner;
      };
    }
    case 'square': {
      const s = 0.8 * r;
      return (u, v) => Math.abs(u) <= s && Math.abs(v) <= s;
    }
    case 'diamond':
      return (u, v) => Math.abs(u) + Math.abs(v) <= r;
    case 'cross': {
      const t = Math.max(0.3 * r, 0.75);
      return (u, v) =>
        (Math.abs(u) <= r && Math.abs(v) <= t) || (Math.abs(v) <= r && Math.abs(u) <= t);
    }
    case 'triangle': {
      // Equilateral, pointing up, vertices on the circle of radius r.
      const pts = [-90, 30, 150].map((deg) => [
        r * Math.cos((deg * Math.PI) / 180),
        r * Math.sin((deg * Math.PI) / 180),
      ]);
      return (u, v) => {
        let sign = 0;
        for (let i = 0; i < 3; i++) {
          const [ax, ay] = pts[i];
          const [bx, by] = pts[(i + 1) % 3];
          const cross = (bx - ax) * (v - ay) - (by - ay) * (u - ax);
          if (cross !== 0) {
            if (sign === 0) sign = Math.sign(cross);
            else if (Math.sign(cross) !== sign) return false;
          }
        }
        return true;
      };
    }
  }
}

function setPixel(
  img: Float32Array,
  size: number,
  channels: number,
  r: number,
  c: number,
  colour: number[],
): void {
  if (r < 0 || c < 0 || r >= size || c >= size) return;
  for (let k = 0; k < channels; k++) img[(r * size + c) * channels + k] = colour[k];
}

function drawLine(
  img: Float32Array,
  size: number,
  channels: number,
  colour: number[],
  rng: Rng,
): void {
  const len = rng.uniform(0.2, 0.5) * size;
  const a = rng.uniform(0, Math.PI);
  const x0 = rng.uniform(0, size);
  const y0 = rng.uniform(0, size);
  const steps = Math.ceil(len * 2);
  for (let s = 0; s <= steps; s++) {
    const t = (s / steps) * len;
    setPixel(
      img,
      size,
      channels,
      Math.round(y0 + t * Math.sin(a)),
      Math.round(x0 + t * Math.cos(a)),
      colour,
    );
  }
}

function drawDot(
  img: Float32Array,
  size: number,
  channels: number,
  colour: number[],
  rng: Rng,
): void {
  const r = rng.int(size);
  const c = rng.int(size);
  for (const [dr, dc] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ])
    setPixel(img, size, channels, r + dr, c + dc, colour);
}
