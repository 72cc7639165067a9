/**
 * The HTTP API on loopback with a real trained model: catalogues, uploads (checked by content and
 * size), jobs with live progress and cancellation, outputs that match the library's numbers, and
 * malformed requests that get one-line 4xx answers and never stop the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeNpy } from '../../src/io/npy.js';
import { explain, listMethods } from '../../src/methods/index.js';
import { loadAnyModel } from '../../src/models/load.js';
import { loadImage } from '../../src/io/image.js';
import { tinyCnn } from '../onnx/models.js';
import { followJob, greyPng, makeDataDir, postJson, startTestServer, waitForJob } from './helpers.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let base: string;
let data: string;

beforeAll(async () => {
  data = await makeDataDir();
  server = await startTestServer(data, { maxInputBytes: 1024 * 1024, maxModelBytes: 4 * 1024 * 1024 });
  base = server.url;
});
afterAll(async () => {
  await server?.close();
});

const get = async (route: string) => {
  const r = await fetch(`${base}${route}`);
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
};

function form(files: { field?: string; name: string; bytes: Uint8Array }[]): FormData {
  const f = new FormData();
  for (const x of files) f.append(x.field ?? 'file', new Blob([x.bytes as Uint8Array<ArrayBuffer>]), x.name);
  return f;
}

async function upload(route: string, files: { field?: string; name: string; bytes: Uint8Array }[]) {
  const r = await fetch(`${base}${route}`, { method: 'POST', body: form(files) });
  return { status: r.status, json: (await r.json()) as any };
}

describe('catalogues', () => {
  it('lists every registered method with its options as JSON Schema', async () => {
    const { json } = await get('api/methods');
    expect(json.map((m: { name: string }) => m.name)).toEqual(listMethods().map((m) => m.name));
    const gradCam = json.find((m: { name: string }) => m.name === 'grad-cam');
    expect(gradCam.options.type).toBe('object');
    expect(Object.keys(gradCam.options.properties)).toContain('layer');
    const ig = json.find((m: { name: string }) => m.name === 'integrated-gradients');
    expect(ig.options.properties.steps.type).toBe('integer');
  });

  it('lists the run in the data folder and the ready example as models', async () => {
    const { json } = await get('api/models');
    expect(json).toEqual(expect.arrayContaining([expect.objectContaining({ ref: 'run:mnist-tiny', ready: true, dataset: 'mnist' }), expect.objectContaining({ ref: 'example:mnist', ready: true })]));
    const info = await get('api/models/info?ref=run:mnist-tiny');
    expect(info.json).toMatchObject({ kind: 'image', inputShape: [28, 28, 1], numClasses: 10, whiteBox: true });
    expect(info.json.layers.find((l: { name: string }) => l.name === 'conv1').spatial).toBe(true);
  });
});

describe('uploads', () => {
  it('accepts a real image and reports its size', async () => {
    const r = await upload('api/uploads/input', [{ name: 'grey.png', bytes: await greyPng(30) }]);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ type: 'png', width: 30, height: 30 });
    expect(r.json.ref).toMatch(/^upload:[a-f0-9]{16}\.png$/);
    // Stored under the data folder, under a name of the server's choosing.
    expect(fs.existsSync(path.join(data, '.glassbox-web', 'uploads', 'inputs', r.json.ref.slice(7)))).toBe(true);
  });

  it('decides by content: a JPEG named .png is a JPEG, text named .png is refused', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#333' } }).jpeg().toBuffer();
    expect((await upload('api/uploads/input', [{ name: 'x.png', bytes: jpeg }])).json.type).toBe('jpeg');
    const text = await upload('api/uploads/input', [{ name: 'photo.png', bytes: Buffer.from('hello, world') }]);
    expect(text.status).toBe(400);
    expect(text.json.error).toMatch(/^photo\.png is not an image or a NumPy array/);
  });

  it('refuses a damaged image, an empty file and a .npy with NaN', async () => {
    const png = await greyPng(28);
    const damaged = await upload('api/uploads/input', [{ name: 'cut.png', bytes: Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7)]) }]);
    expect(damaged.status).toBe(400);
    expect(damaged.json.error).toMatch(/cannot be decoded/);
    expect((await upload('api/uploads/input', [{ name: 'empty.png', bytes: Buffer.alloc(0) }])).json.error).toMatch(/empty/);
    const { encodeNpy } = await import('../../src/io/npy.js');
    const nan = encodeNpy({ data: new Float32Array([1, NaN, 3]), shape: [3] });
    expect((await upload('api/uploads/input', [{ name: 'a.npy', bytes: nan }])).json.error).toMatch(/NaN/);
    const ok = await upload('api/uploads/input', [{ name: 'a.npy', bytes: encodeNpy({ data: new Float32Array(784).fill(0.5), shape: [28, 28, 1] }) }]);
    expect(ok.json).toMatchObject({ type: 'npy', shape: [28, 28, 1] });
  });

  it('refuses uploads over the size limit with 413 and keeps serving', async () => {
    const big = Buffer.concat([await greyPng(8), Buffer.alloc(2 * 1024 * 1024)]);
    const r = await upload('api/uploads/input', [{ name: 'big.png', bytes: big }]);
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('the file is larger than the 1 MB limit');
    // Without a content length the limit still holds while reading.
    const body = new Response(form([{ name: 'big.png', bytes: big }]));
    const bytes = new Uint8Array(await body.arrayBuffer());
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.subarray(i, i + 65536));
        c.close();
      },
    });
    const chunked = await fetch(`${base}api/uploads/input`, { method: 'POST', body: stream, headers: { 'content-type': body.headers.get('content-type')! }, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    // A body that is not the multipart it claims to be is a 400, not a 500.
    const garbled = await fetch(`${base}api/uploads/input`, { method: 'POST', body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: string }).error).toMatch(/not valid multipart/);
    const model = await upload('api/uploads/model', [{ name: 'm.onnx', bytes: Buffer.alloc(5 * 1024 * 1024) }]);
    expect(model.status).toBe(413);
    expect((await get('api/health')).json.ok).toBe(true);
  });

  it('accepts an ONNX model and a TF.js model.json with its weights, refuses anything else', async () => {
    const onnx = await upload('api/uploads/model', [{ name: 'tiny.onnx', bytes: tinyCnn() }]);
    expect(onnx.status).toBe(201);
    expect(onnx.json).toMatchObject({ format: 'onnx', kind: 'image', inputShape: [8, 8, 3], numClasses: 5, name: 'tiny' });

    const modelDir = path.join(data, 'mnist-tiny', 'model');
    const modelJson = fs.readFileSync(path.join(modelDir, 'model.json'));
    const weights = fs.readFileSync(path.join(modelDir, 'weights.bin'));
    const alone = await upload('api/uploads/model', [{ name: 'model.json', bytes: modelJson }]);
    expect(alone.json.error).toBe('model.json needs its weight file weights.bin: select it together with model.json');
    const tfjs = await upload('api/uploads/model', [
      { name: 'model.json', bytes: modelJson },
      { name: 'weights.bin', bytes: weights },
    ]);
    expect(tfjs.status).toBe(201);
    expect(tfjs.json).toMatchObject({ format: 'tfjs', inputShape: [28, 28, 1] });

    const evil = JSON.parse(modelJson.toString());
    evil.weightsManifest[0].paths = ['../../../escape.bin'];
    const bad = await upload('api/uploads/model', [
      { name: 'model.json', bytes: Buffer.from(JSON.stringify(evil)) },
      { name: 'escape.bin', bytes: weights },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/folder or odd characters/);
    const wrongWeights = await upload('api/uploads/model', [
      { name: 'model.json', bytes: modelJson },
      { name: 'weights.bin', bytes: weights.subarray(0, 100) },
    ]);
    expect(wrongWeights.status).toBe(400);
    expect(wrongWeights.json.error).toMatch(/^model\.json: weight files hold 100 bytes but the manifest needs \d+/);
    expect(wrongWeights.json.error).not.toContain(data);
    const text = await upload('api/uploads/model', [{ name: 'model.onnx', bytes: Buffer.from('not a model at all, just text') }]);
    expect(text.json.error).toBe("model.onnx is neither an ONNX model nor a TF.js model.json (the file's content decides, not its name)");

    const models = (await get('api/models')).json.map((m: { ref: string }) => m.ref);
    expect(models).toEqual(expect.arrayContaining([onnx.json.ref, tfjs.json.ref]));
    // Failed uploads leave nothing behind.
    expect(fs.readdirSync(path.join(data, '.glassbox-web', 'uploads', 'models')).sort()).toEqual([onnx.json.ref.slice(7), tfjs.json.ref.slice(7)].sort());
  });
});

describe('explain jobs', () => {
  it('streams progress and returns the same attributions the library computes', async () => {
    const submitted = await postJson(base, 'api/jobs', { type: 'explain', model: 'run:mnist-tiny', input: 'sample:mnist-digit-7.png', methods: ['integrated-gradients', 'grad-cam'] });
    expect(submitted.status).toBe(202);
    const view = (await submitted.json()) as { id: string };
    const events = await followJob(base, view.id);
    expect(events.some((e) => e.event === 'progress' && e.data.progress.stage.startsWith('integrated-gradients'))).toBe(true);
    const end = events.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.data.status).toBe('done');
    const result = end.data.result;
    expect(result.prediction.predicted).toBe(7);
    expect(result.methods.map((m: { method: string }) => m.method)).toEqual(['integrated-gradients', 'grad-cam']);

    const npy = async (file: string) => decodeNpy(Buffer.from(await (await fetch(`${base}api/jobs/${view.id}/files/${file}`)).arrayBuffer()));
    const served = await npy(result.methods[0].files.attribution);
    expect(served.shape).toEqual([28, 28, 1]);
    expect((await npy(result.methods[1].files.heatmap)).shape).toEqual([28, 28]);

    const model = await loadAnyModel(path.join(data, 'mnist-tiny', 'model'));
    const input = await loadImage(path.join(data, '.glassbox-web', 'samples', 'mnist-digit-7.png'), { height: 28, width: 28, channels: 1 });
    const [direct] = await explain(model, input, 'integrated-gradients', { seed: 0 });
    model.dispose();
    let maxDiff = 0;
    for (let i = 0; i < direct.attribution.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(direct.attribution.data[i] - served.data[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(result.summary).toMatch(/predicts class 7/);

    // Overlay for download: the input's size, upscaled to 224 px like `glassbox explain`.
    const overlay = await fetch(`${base}api/jobs/${view.id}/overlay/1?opacity=0.7&colormap=inferno`);
    expect(overlay.headers.get('content-disposition')).toContain('grad-cam-overlay.png');
    const meta = await sharp(Buffer.from(await overlay.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([224, 224]);
    expect((await get(`api/jobs/${view.id}/heatmap/1?colormap=purple`)).status).toBe(400);
    expect((await get(`api/jobs/${view.id}/heatmap/9`)).json.error).toMatch(/no method number 9/);
  });

  it('explains with an uploaded ONNX model (Glassbox-built gradients)', async () => {
    const onnx = await upload('api/uploads/model', [{ name: 'tiny.onnx', bytes: tinyCnn() }]);
    const img = await upload('api/uploads/input', [{ name: 'g.png', bytes: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#a05030' } }).png().toBuffer() }]);
    const r = await postJson(base, 'api/jobs', { type: 'explain', model: onnx.json.ref, input: img.json.ref, methods: ['saliency'] });
    const done = await waitForJob(base, ((await r.json()) as { id: string }).id);
    expect(done.status).toBe('done');
    expect(done.result.model.name).toBeTruthy();
    expect(done.result.methods[0].milliseconds).toBeGreaterThan(0);
  });

  it('cancels a running job and a queued one; the queue goes on', async () => {
    const slow = { type: 'explain', model: 'run:mnist-tiny', input: 'sample:mnist-digit-1.png', methods: ['rise'], options: { rise: { masks: 50000 } } };
    const a = (await (await postJson(base, 'api/jobs', slow)).json()) as { id: string };
    const b = (await (await postJson(base, 'api/jobs', slow)).json()) as { id: string; status: string; position: number; statusText: string };
    expect(b).toMatchObject({ status: 'queued', position: 1, statusText: 'queued, position 1 of 1' });
    const cancelledB = await fetch(`${base}api/jobs/${b.id}`, { method: 'DELETE' });
    expect(((await cancelledB.json()) as { status: string }).status).toBe('cancelled');
    const events = followJob(base, a.id);
    // Wait until it is really computing, then cancel: the server answers while it computes.
    for (let v = (await get(`api/jobs/${a.id}`)).json; !(v.progress?.stage?.startsWith('rise') && v.progress.done > 0); v = (await get(`api/jobs/${a.id}`)).json) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await fetch(`${base}api/jobs/${a.id}`, { method: 'DELETE' });
    const end = (await events).at(-1)!;
    expect(end.data.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(5000);
    const next = await postJson(base, 'api/jobs', { type: 'explain', model: 'run:mnist-tiny', input: 'sample:mnist-digit-1.png', methods: ['gradient'] });
    expect((await waitForJob(base, ((await next.json()) as { id: string }).id)).status).toBe('done');
  });

  it('runs layers jobs: filter visualisation', async () => {
    const r = await postJson(base, 'api/jobs', { type: 'layers', model: 'run:mnist-tiny', mode: 'filters', layer: 'conv2', maxChannels: 4, steps: 16 });
    const done = await waitForJob(base, ((await r.json()) as { id: string }).id);
    expect(done.status).toBe('done');
    expect(done.result.channels).toEqual([0, 1, 2, 3]);
    // Gradient ascent raised every channel's activation.
    done.result.final.forEach((f: number, i: number) => expect(f).toBeGreaterThan(done.result.initial[i]));
  });
});

describe('malformed requests get one line and a 4xx, and the server stays up', () => {
  const job = (body: unknown) => postJson(base, 'api/jobs', body).then(async (r) => ({ status: r.status, json: (await r.json()) as { error: string } }));
  const explainBody = { type: 'explain', model: 'run:mnist-tiny', input: 'sample:mnist-digit-1.png', methods: ['gradient'] };

  it.each([
    ['broken JSON', '{"type": "explain",', 400, /^the request body is not valid JSON$/],
    ['an array', '[1, 2]', 400, /send a JSON object/],
    ['a number', '42', 400, /send a JSON object/],
    ['no type', { model: 'x' }, 400, /^job: type: /],
    ['an unknown type', { type: 'format-disk' }, 400, /^job: type: /],
    ['wrong types', { type: 'explain', model: 5, input: [], methods: 'gradient' }, 400, /model: .*expected string.*methods: .*expected array/],
    ['an extra field', { ...explainBody, shell: 'rm -rf /' }, 400, /Unrecognized key.*shell/],
    ['an unknown method', { ...explainBody, methods: ['telepathy'] }, 400, /^unknown method "telepathy"/],
    ['no methods', { ...explainBody, methods: [] }, 400, /pick at least one method/],
    ['a bad model reference', { ...explainBody, model: '/etc/passwd' }, 400, /expected run:<folder>/],
    ['a model path escaping the data folder', { ...explainBody, model: 'run:../../etc' }, 400, /contains "\.\."/],
    ['an input path escaping the data folder', { ...explainBody, input: 'upload:../../../etc/passwd' }, 400, /not a valid upload name/],
    ['a missing input', { ...explainBody, input: 'upload:0123456789abcdef.png' }, 400, /not found/],
    ['a negative target', { ...explainBody, target: -1 }, 400, /target/],
    ['an evaluation naming a path as data', { type: 'evaluate', model: 'run:mnist-tiny', data: '/etc', methods: ['gradient'], metrics: ['deletion'] }, 400, /unknown data set "\/etc"/],
  ])('%s', async (_what, body, status, message) => {
    const r = await job(body);
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(message);
    expect(r.json.error).not.toContain('\n');
  });

  it('a method option of the wrong type fails the job with the method\'s own message', async () => {
    const r = await job({ ...explainBody, methods: ['integrated-gradients'], options: { 'integrated-gradients': { steps: 'many' } } });
    const done = await waitForJob(base, (r.json as unknown as { id: string }).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/options for integrated-gradients: steps/);
  });

  it('an oversized JSON body gets 413', async () => {
    const r = await postJson(base, 'api/jobs', JSON.stringify({ ...explainBody, pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(r.status).toBe(413);
  });

  it('the wrong content type gets 415', async () => {
    const r = await fetch(`${base}api/jobs`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: 'type: explain' });
    expect(r.status).toBe(415);
  });

  it.each([
    ['api/files?path=../../etc/passwd', 400],
    ['api/files?path=%2Fetc%2Fpasswd', 400],
    ['api/files?path=mnist-tiny%2F..%2F..%2Fetc', 400],
    ['api/files?path=mnist-tiny/model/weights.bin', 400],
    ['api/files?path=.glassbox-web/uploads/inputs', 400],
    ['api/files', 400],
    ['api/runs/detail?path=../', 400],
    ['api/benchmarks/detail?path=mnist-tiny/run.json', 400],
    ['api/inputs/preview?ref=sample:../../x.png', 400],
    ['api/jobs/..%2F..%2Fetc', 400],
    ['api/jobs/nope', 404],
    ['api/jobs/nope/files/..%2Frun.json', 400],
    ['api/nothing-here', 404],
  ])('GET %s → %i', async (route, status) => {
    const r = await get(route);
    expect(r.status).toBe(status);
    expect(r.json?.error).toBeTruthy();
    expect(r.text).not.toContain('root:');
  });

  it('serves files inside the data folder, and no symlink out of it', async () => {
    expect((await get('api/files?path=mnist-tiny/report.html')).status).toBe(200);
    fs.symlinkSync('/etc', path.join(data, 'etc-link'));
    const r = await get('api/files?path=etc-link/hostname');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/leads outside the data folder/);
  });

  it('a full queue answers 503 with the reason, not a crash', async () => {
    const small = await startTestServer(data, { maxQueued: 0 });
    try {
      const slow = { type: 'explain', model: 'run:mnist-tiny', input: 'sample:mnist-digit-1.png', methods: ['gradient'] };
      const first = await postJson(small.url, 'api/jobs', slow);
      expect(first.status).toBe(202);
      const second = await postJson(small.url, 'api/jobs', slow);
      expect(second.status).toBe(503);
      expect(((await second.json()) as { error: string }).error).toMatch(/queue is full/);
      await waitForJob(small.url, ((await first.json()) as { id: string }).id);
    } finally {
      await small.close();
    }
  });

  it('still answers after all of the above', async () => {
    const r = await get('api/health');
    expect(r.json.ok).toBe(true);
  });
});
