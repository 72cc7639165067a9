/** What a user sees when a model or a request cannot be served: one GlassboxError line each. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { GlassboxError } from '../../src/core/errors.js';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { loadModel } from '../../src/models/load-model.js';
import { seeded } from '../helpers/models.js';
import { ModelBuilder } from './builder.js';
import { tinyCnn } from './models.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-onnx-errors-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function failure(p: Promise<unknown>): Promise<GlassboxError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GlassboxError);
  expect((e as Error).message).not.toContain('\n');
  return e as GlassboxError;
}

/** x[N,4] → op under test → Gemm → 3 logits. */
function withOp(op: string, opset = 13): Uint8Array {
  const b = new ModelBuilder(opset);
  const x = b.input('x', ['N', 4]);
  const h = b.op('Tanh', [b.op('Gemm', [x, b.rand([4, 4], 1)])], {}, 'hidden');
  const y = b.op(op, [h], {}, 'suspect');
  b.output(b.op('Gemm', [b.op('Add', [y, h], {}, 'mix'), b.rand([4, 3], 2)], {}, 'logits'));
  return b.bytes();
}

describe('reading ONNX files', () => {
  it('rejects random bytes and a truncated model', async () => {
    const junk = write('junk.onnx', Buffer.from(seeded(64, 3).buffer));
    expect((await failure(OnnxModel.load(junk))).message).toMatch(/is not an ONNX model/);
    const full = tinyCnn();
    const cut = write('cut.onnx', full.subarray(0, Math.floor(full.length / 2)));
    expect((await failure(OnnxModel.load(cut))).message).toMatch(/is not an ONNX model/);
  });

  it('rejects a missing file, an empty file and a folder', async () => {
    expect((await failure(loadModel(path.join(dir, 'nope.onnx')))).message).toMatch(/model not found/);
    expect((await failure(loadModel(write('empty.onnx', '')))).message).toMatch(/is empty/);
    expect((await failure(OnnxModel.load(dir))).message).toMatch(/is a folder/);
  });

  it('rejects an opset older than 11', async () => {
    const b = new ModelBuilder(9);
    b.output(b.op('Relu', [b.input('x', ['N', 3])]));
    const file = write('old.onnx', b.bytes());
    expect((await failure(OnnxModel.load(file))).message).toMatch(/uses ONNX opset 9; Glassbox needs opset 11\.\.\d+/);
  });

  it('reads external weights beside the model and says so when they are missing', async () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(tinyCnn());
    const big = model.graph!.initializer!.find((t) => (t.floatData ?? []).length === 4 * 6 * 9)!; // conv2 weights
    const values = Float32Array.from(big.floatData ?? []);
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(values.buffer)]));
    big.floatData = [];
    big.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    big.externalData = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '16' },
      { key: 'length', value: String(values.byteLength) },
    ];
    const file = write('external.onnx', onnx.ModelProto.encode(model).finish());
    const external = await OnnxModel.load(file, { threads: 1 });
    const inline = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    const x = { data: seeded(2 * 192, 4, 1), shape: [2, 8, 8, 3] };
    expect(Array.from((await external.predict(x)).data)).toEqual(Array.from((await inline.predict(x)).data));
    external.dispose();
    inline.dispose();
    fs.rmSync(path.join(dir, 'weights.bin'));
    expect((await failure(OnnxModel.load(file))).message).toMatch(/stored in .*weights\.bin, which is missing/);
  });

  it('rejects models with two inputs or a non-classifier output', async () => {
    const two = new ModelBuilder(13);
    two.output(two.op('Add', [two.input('a', ['N', 3]), two.input('b', ['N', 3])]));
    expect((await failure(OnnxModel.fromBytes(two.bytes()))).message).toMatch(/has 2 inputs \(a, b\)/);
    const grid = new ModelBuilder(13);
    grid.output(grid.op('Relu', [grid.input('x', ['N', 3, 4, 4])]));
    expect((await failure(OnnxModel.fromBytes(grid.bytes()))).message).toMatch(/outputs shape \[1, 3, 4, 4\]; Glassbox explains classifiers/);
  });
});

describe('requests', () => {
  it('names the layers when asked for an unknown one', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    const x = { data: seeded(192, 1, 1), shape: [1, 8, 8, 3] };
    expect((await failure(m.gradients({ input: x, targets: [0], layer: 'conv9' }))).message).toMatch(/unknown layer "conv9" .*its layers are: conv1, bn1, relu1/);
    expect((await failure(m.activations(x, ['nope']))).message).toMatch(/unknown layer "nope"/);
    expect((await failure(m.gradients({ input: x, targets: [7] }))).message).toMatch(/target class 7 is out of range/);
    expect((await failure(m.predict({ data: seeded(100, 1), shape: [1, 10, 10, 1] }))).message).toMatch(/does not fit model/);
    m.dispose();
  });

  it('fails on an op without a gradient rule, naming the op and the node, only when on the path', async () => {
    const m = await OnnxModel.fromBytes(withOp('Sin'), { threads: 1 });
    const x = { data: seeded(8, 2, 1), shape: [2, 4] };
    expect((await m.predict(x)).shape).toEqual([2, 3]);
    expect((await failure(m.gradients({ input: x, targets: [0, 1] }))).message).toBe('op Sin (node suspect) has no gradient rule in Glassbox yet');
    // The layer after the Sin: the head-only backward pass never meets it.
    const head = await m.gradients({ input: x, targets: [0, 1], layer: 'mix', inputGradient: false });
    expect(head.layerGradient!.shape).toEqual([2, 4]);
    m.dispose();
  });

  it('fails clearly on features it does not differentiate', async () => {
    const b = new ModelBuilder(13);
    const x = b.input('x', ['N', 2, 6]);
    const s = b.op('Slice', [x, b.ints([0]), b.ints([6]), b.ints([2]), b.ints([2])], {}, 'strided');
    b.output(b.op('Gemm', [b.op('Flatten', [s]), b.rand([6, 3], 1)]));
    const m = await OnnxModel.fromBytes(b.bytes(), { layout: 'nhwc', threads: 1 });
    const e = await failure(m.gradients({ input: { data: seeded(24, 1), shape: [2, 2, 6] }, targets: [0, 1] }));
    expect(e.message).toBe('op Slice (node strided): slicing with step 2 is not supported (only step 1)');
    m.dispose();
  });
});
