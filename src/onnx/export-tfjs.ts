/**
 * TF.js LayersModel → ONNX ModelProto, so models trained with TF.js run (and are explained) on
 * ONNX Runtime.
 *
 * - Opset 13. The graph input keeps TF.js's layout (NHWC / NLC); the first node moves it to
 *   channels-first, which every tensor of rank ≥ 3 inside the graph uses (see export/layout.ts).
 *   A rank ≥ 3 model output is moved back, so users feed and read the arrays they used with TF.js.
 * - Every layer's output tensor, and the node producing it, is named after the layer, so
 *   explanations address the same layer names on both engines. Layers that are identities at
 *   inference (Dropout, …) add no node; their name resolves to their input's tensor, listed in
 *   the model metadata `glassbox.layers` (JSON: name, class, tensor, internal shape).
 * - One writer per layer class (export/layers.ts); anything else fails naming the layer.
 */
import { writeFile } from 'node:fs/promises';
import { fail } from '../core/errors.js';
import type { tf } from '../runtime/tf.js';
import { GraphBuilder, type TensorRef } from './export/builder.js';
import { writers, supportedLayers } from './export/layers.js';
import { internalShape, type TfShape } from './export/layout.js';
import { onnx, valueInfo } from './export/proto.js';

export const EXPORT_OPSET = 13;

export interface ExportOptions {
  /** Graph name; default the model's name. */
  name?: string;
}

/** One exported layer: where its output lives in the ONNX graph. */
export interface ExportedLayer {
  name: string;
  className: string;
  /** ONNX tensor holding the layer's output (channels-first when rank ≥ 3). */
  tensor: string;
  /** That tensor's shape; -1 for the batch and other unknown dims. */
  shape: number[];
}

export interface ExportResult {
  bytes: Uint8Array;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  layers: ExportedLayer[];
}

/** Serialised ONNX ModelProto for a TF.js LayersModel (Sequential or functional). */
export function exportTfjsToOnnx(model: tf.LayersModel, options: ExportOptions = {}): Uint8Array {
  return exportTfjsModel(model, options).bytes;
}

/** Writes the exported model to `file` (conventionally `*.onnx`). */
export async function saveOnnx(model: tf.LayersModel, file: string, options: ExportOptions = {}): Promise<void> {
  await writeFile(file, exportTfjsToOnnx(model, options));
}

/** Like exportTfjsToOnnx, also telling where each layer went. */
export function exportTfjsModel(model: tf.LayersModel, options: ExportOptions = {}): ExportResult {
  const b = new GraphBuilder();
  const graph = graphOf(model);
  const layers: ExportedLayer[] = [];
  const valueInfos = new Map<string, TfShape>();

  const inputs = graph.inputLayers.map((l: any, i: number) => {
    const shape = graph.inputs[i].shape as TfShape;
    b.reserve(l.name);
    return { name: l.name, shape };
  }) as TensorRef[];
  const internalInputs = inputs.map((t) => ({ name: b.fromTfOrder(t.name, t.shape.length, `${t.name}/to_channels_first`), shape: t.shape }));
  const outputs = walk(b, graph, internalInputs, (layer, ref) => {
    layers.push({ name: layer.name, className: layer.getClassName(), tensor: ref.name, shape: dims(internalShape(ref.shape)) });
    valueInfos.set(ref.name, ref.shape);
  });

  const graphOutputs = outputs.map((ref) => ({
    name: ref.shape.length >= 3 ? b.toTfOrder(ref, `${ref.name}/to_channels_last`) : ref.name,
    shape: ref.shape,
  }));
  for (const o of graphOutputs) valueInfos.delete(o.name);
  for (const i of inputs) valueInfos.delete(i.name);

  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'glassbox',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: EXPORT_OPSET })],
    graph: onnx.GraphProto.create({
      name: options.name ?? model.name,
      node: b.nodes,
      initializer: b.initializers,
      input: inputs.map((t) => valueInfo(t.name, t.shape)),
      output: graphOutputs.map((o) => valueInfo(o.name, o.shape)),
      valueInfo: [...valueInfos].filter(([n]) => b.producedSince(n, 0)).map(([n, s]) => valueInfo(n, internalShape(s))),
    }),
    metadataProps: [
      onnx.StringStringEntryProto.create({ key: 'glassbox.source', value: 'tfjs-layers' }),
      onnx.StringStringEntryProto.create({ key: 'glassbox.input_layout', value: 'channels_last' }),
      onnx.StringStringEntryProto.create({ key: 'glassbox.layers', value: JSON.stringify(layers) }),
    ],
  });
  return {
    bytes: onnx.ModelProto.encode(proto).finish(),
    inputs: inputs.map((t) => ({ name: t.name, shape: dims(t.shape) })),
    outputs: graphOutputs.map((o) => ({ name: o.name, shape: dims(o.shape) })),
    layers,
  };
}

const dims = (s: TfShape): number[] => s.map((d) => d ?? -1);

const key = (layer: string, nodeIndex: number, tensorIndex: number) => `${layer}:${nodeIndex}:${tensorIndex}`;

/** The functional graph behind a model (Sequential keeps one inside, built lazily). */
function graphOf(model: any): any {
  if (model.getClassName() === 'Sequential' && model.model === undefined) model.countParams();
  const g = model.model?.inputLayers?.length ? model.model : model;
  if (!g.inputLayers?.length) fail(`cannot export model "${model.name}": it has no input layer (build it with a fixed input shape first)`);
  return g;
}

function isModel(layer: any): boolean {
  return Array.isArray(layer.layers) && (layer.inputLayers !== undefined || layer.getClassName() === 'Sequential');
}

/** Writes every layer of `graph` fed by `inputs` (internal layout); returns its outputs. */
function walk(b: GraphBuilder, graph: any, inputs: TensorRef[], onLayer: (layer: any, ref: TensorRef) => void): TensorRef[] {
  const values = new Map<string, TensorRef>();
  graph.inputLayers.forEach((l: any, i: number) => {
    values.set(key(l.name, graph.inputLayersNodeIndices[i], graph.inputLayersTensorIndices[i]), inputs[i]);
  });
  const depths = Object.keys(graph.nodesByDepth).map(Number).sort((x, y) => y - x);
  for (const depth of depths) {
    for (const node of graph.nodesByDepth[depth]) {
      const layer = node.outboundLayer;
      const className: string = layer.getClassName();
      if (className === 'InputLayer') continue;
      const nodeIndex = layer.inboundNodes.indexOf(node);
      const ins = node.inboundLayers.map((l: any, j: number) => {
        const v = values.get(key(l.name, node.nodeIndices[j], node.tensorIndices[j]));
        if (!v) throw new Error(`exporter: input ${j} of layer ${layer.name} was not computed`);
        return v;
      }) as TensorRef[];
      const outShapes = node.outputTensors.map((t: any) => t.shape as TfShape);

      let outs: TensorRef[];
      if (isModel(layer)) {
        outs = walk(b, graphOf(layer), ins, onLayer);
      } else {
        const write = writers[className];
        if (!write) {
          fail(`cannot export layer "${layer.name}" (${className}) to ONNX: not supported; supported layers: ${supportedLayers().join(', ')}`);
        }
        if (outShapes.length !== 1) fail(`cannot export layer "${layer.name}" (${className}): layers with several outputs are not supported`);
        const start = b.nodes.length;
        let t = write({ b, layer, name: layer.name, className, inputs: ins, outputShape: outShapes[0] });
        if (b.producedSince(t, start)) t = b.rename(t, nodeIndex === 0 ? layer.name : `${layer.name}_${nodeIndex}`);
        outs = [{ name: t, shape: outShapes[0] }];
        onLayer(layer, outs[0]);
      }
      outs.forEach((ref, i) => values.set(key(layer.name, nodeIndex, i), ref));
    }
  }
  return graph.outputLayers.map((l: any, i: number) => {
    const v = values.get(key(l.name, graph.outputLayersNodeIndices[i], graph.outputLayersTensorIndices[i]));
    if (!v) throw new Error(`exporter: output ${l.name} was not computed`);
    return v;
  });
}
