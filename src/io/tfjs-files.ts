/**
 * Save and load TF.js LayersModels on the local file system without tfjs-node
 * (whose `file://` handlers are not available here): model.json + one weights.bin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';

const WEIGHTS_FILE = 'weights.bin';

export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? Buffer.concat(
            (Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]).map(
              (b) => Buffer.from(b),
            ),
          )
        : Buffer.alloc(0);
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'glassbox',
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), weights);
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Reads a model.json (path to the file or its folder) and every weight shard it names. */
export function readModelArtifacts(modelPath: string): tf.io.ModelArtifacts {
  const file = fs.existsSync(modelPath) && fs.statSync(modelPath).isDirectory()
    ? path.join(modelPath, 'model.json')
    : modelPath;
  if (!fs.existsSync(file)) fail(`model file not found: ${file} (give a TF.js model.json or an .onnx file)`);
  let json: any;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    fail(`${file} is not valid JSON: expected a TF.js model.json (re-export the model)`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    fail(`${file} is not a TF.js layers model: it lacks modelTopology or weightsManifest`);
  }
  const dir = path.dirname(file);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest as tf.io.WeightsManifestConfig) {
    specs.push(...group.weights);
    for (const shard of group.paths) {
      const shardPath = path.join(dir, shard);
      if (!fs.existsSync(shardPath)) fail(`weight file ${shardPath} named by ${file} is missing`);
      buffers.push(fs.readFileSync(shardPath));
    }
  }
  const weights = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPerValue(s), 0);
  if (weights.length !== expected) {
    fail(`${file}: weight files hold ${weights.length} bytes but the manifest needs ${expected} (corrupt or truncated model)`);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    weightSpecs: specs,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
}

function bytesPerValue(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

export async function loadLayersModel(modelPath: string): Promise<tf.LayersModel> {
  const artifacts = readModelArtifacts(modelPath);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    fail(`could not build the TF.js model from ${modelPath}: ${(e as Error).message.split('\n')[0]}`);
  }
}
