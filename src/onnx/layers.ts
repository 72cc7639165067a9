/**
 * Inspectable layers of an ONNX graph: every node downstream of the input that outputs a float
 * tensor, named by the node (or its output tensor when the node has no name), made unique in
 * graph order. Each layer's layout is tracked so grids are reported channels-last like the rest
 * of Glassbox: Conv/pool/BN outputs are channels-first, Transposes swap, element-wise ops inherit.
 * A layer is `spatial` when it keeps a grid of more than one position.
 */
import type { LayerInfo } from '../models/model.js';
import { CHANNELS_FIRST_OPS } from './boundary.js';
import type { OnnxGraph } from './graph.js';
import { attrInts } from './proto.js';
import { isFloat, type TensorInfos } from './shapes.js';

export type TensorLayout = 'first' | 'last' | 'none';

export interface OnnxLayer extends LayerInfo {
  /** The tensor this layer's output is. */
  tensor: string;
  layout: TensorLayout;
}

const INHERITING_OPS = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Softplus', 'Gelu', 'Erf',
  'Add', 'Sub', 'Mul', 'Div', 'Sum', 'Mean', 'Max', 'Min', 'Identity', 'Dropout', 'Pad', 'Cast', 'Exp', 'Neg', 'Abs', 'Sqrt', 'Pow', 'Where',
]);

/**
 * @param input the model's own input tensor; @param inputLayout its layout;
 * @param spatialRank rank of an example with a grid (3 for images H,W,C; 2 for signals L,C).
 */
export function listLayers(graph: OnnxGraph, infos: TensorInfos, input: string, inputLayout: TensorLayout, spatialRank: number): OnnxLayer[] {
  const reach = new Set([input]);
  const layouts = new Map<string, TensorLayout>([[input, inputLayout]]);
  const gridRank = spatialRank + 1; // with the batch axis
  const layers: OnnxLayer[] = [];
  const used = new Map<string, number>();
  for (const node of graph.nodes) {
    const inputs = node.input ?? [];
    if (!inputs.some((i) => reach.has(i))) continue;
    const outs = (node.output ?? []).filter((o) => o && isFloat(infos.get(o)));
    for (const o of outs) reach.add(o);
    if (outs.length === 0) continue;
    const tensor = outs[0];
    const shape = infos.get(tensor)!.shape;
    const op = node.opType ?? '';
    let layout: TensorLayout = 'none';
    if (spatialRank >= 2 && shape.length === gridRank) {
      const from = layouts.get(inputs[0]) ?? 'none';
      if (CHANNELS_FIRST_OPS.has(op)) layout = 'first';
      else if (op === 'Transpose') {
        const perm = attrInts(node, 'perm')?.join(',');
        const toLast = [0, ...Array.from({ length: gridRank - 2 }, (_, i) => i + 2), 1].join(',');
        const toFirst = [0, gridRank - 1, ...Array.from({ length: gridRank - 2 }, (_, i) => i + 1)].join(',');
        layout = from === 'first' && perm === toLast ? 'last' : from === 'last' && perm === toFirst ? 'first' : 'none';
      } else if (op === 'Concat') {
        layout = inputs.map((i) => layouts.get(i)).find((l) => l && l !== 'none') ?? 'none';
      } else if (INHERITING_OPS.has(op)) {
        const src = inputs.find((i) => (layouts.get(i) ?? 'none') !== 'none' && infos.get(i)?.shape.length === gridRank);
        layout = src ? layouts.get(src)! : 'none';
      }
    }
    for (const o of outs) layouts.set(o, layout);
    const base = node.name || tensor;
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    const name = seen === 0 ? base : `${base}#${seen + 1}`;
    const example = shape.slice(1);
    const outputShape = layout === 'first' ? [...example.slice(1), example[0]] : example;
    // A 1×1 grid (e.g. ONNX's GlobalAveragePool keeps [N, C, 1, 1]) is not a map to explain.
    const positions = layout === 'none' ? 0 : outputShape.slice(0, -1).reduce((a, b) => a * b, 1);
    layers.push({ name, type: op, outputShape, spatial: positions > 1, tensor, layout });
  }
  // A later node may already be called "x#2": make every name unique.
  const names = new Set<string>();
  for (const l of layers) {
    let n = l.name;
    for (let k = 2; names.has(n); k++) n = `${l.name}#${k}`;
    l.name = n;
    names.add(n);
  }
  return layers;
}
