/**
 * Uploads: input images / .npy arrays, and models (one ONNX file, or a TF.js model.json with its
 * weight files). Types are decided by content; sizes are capped before and while reading.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail, GlassboxError, isGlassboxError } from '../../core/errors.js';
import { loadAnyModel } from '../../models/load.js';
import { saveInputUpload } from '../inputs.js';
import { looksLikeOnnx, parseTfjsModelJson } from '../sniff.js';
import { pruneOldest } from '../storage.js';
import type { ServerContext } from '../tasks/context.js';

const MB = 1024 * 1024;
const WEIGHT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Uploads kept; older ones are removed as new ones arrive. */
const KEEP_INPUTS = 200;
const KEEP_MODELS = 20;

/** Size errors become 413; a body that is not valid multipart becomes 400; user errors pass. */
function uploadError(e: unknown, limit: number, what: string): Error {
  const err = e as Error & { code?: string; statusCode?: number };
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(limit, what);
  if (isGlassboxError(err) || err.statusCode) return err;
  return new GlassboxError(`the upload is not valid multipart/form-data (${String(err.message).split('\n')[0]})`);
}

function tooLarge(limit: number, what: string): Error {
  const e = new Error(`too large`) as Error & { code: string; glassboxMessage: string };
  e.code = 'FST_REQ_FILE_TOO_LARGE';
  e.glassboxMessage = `the ${what} is larger than the ${(limit / MB).toFixed(limit < MB ? 2 : 0)} MB limit`;
  return e;
}

/** Refuses a body whose declared length is over the limit before reading any of it. */
function capLength(limit: number, what: string) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    // Multipart framing adds a little; the per-file limit catches the rest while reading.
    if (declared > limit + 64 * 1024) throw tooLarge(limit, what);
  };
}

export function registerUploadRoutes(app: FastifyInstance, server: ServerContext, limits: { maxInputBytes: number; maxModelBytes: number }): void {
  app.post('/api/uploads/input', { onRequest: capLength(limits.maxInputBytes, 'file') }, async (request, reply) => {
    if (!request.isMultipart()) fail('uploads are sent as multipart/form-data with one file');
    let file;
    try {
      file = await request.file({ limits: { fileSize: limits.maxInputBytes, files: 1, fields: 4 } });
    } catch (e) {
      throw uploadError(e, limits.maxInputBytes, 'file');
    }
    if (!file) fail('the upload holds no file');
    let bytes: Buffer;
    try {
      bytes = await file.toBuffer();
    } catch (e) {
      throw uploadError(e, limits.maxInputBytes, 'file');
    }
    const entry = await saveInputUpload(server.storage, bytes, file.filename);
    pruneOldest(server.storage.dir('uploads', 'inputs'), KEEP_INPUTS);
    return reply.code(201).send(entry);
  });

  app.post('/api/uploads/model', { onRequest: capLength(limits.maxModelBytes, 'model upload') }, async (request, reply) => {
    if (!request.isMultipart()) fail('uploads are sent as multipart/form-data');
    const files: { name: string; bytes: Buffer }[] = [];
    let total = 0;
    let label: string | undefined;
    try {
      for await (const part of request.parts({ limits: { fileSize: limits.maxModelBytes, files: 64, fields: 4 } })) {
        if (part.type === 'field') {
          if (part.fieldname === 'name' && typeof part.value === 'string') label = part.value.slice(0, 80);
          continue;
        }
        const bytes = await part.toBuffer();
        total += bytes.length;
        if (total > limits.maxModelBytes) throw tooLarge(limits.maxModelBytes, 'model upload');
        files.push({ name: path.basename(part.filename || 'file'), bytes });
      }
    } catch (e) {
      throw uploadError(e, limits.maxModelBytes, 'model upload');
    }
    if (files.length === 0) fail('the upload holds no file: give an .onnx file, or model.json with its weight files');

    const id = server.storage.newId();
    const dir = server.storage.dir('uploads', 'models', id);
    const toWrite = identifyModel(files);
    fs.mkdirSync(dir, { recursive: true });
    try {
      for (const f of toWrite.files) fs.writeFileSync(path.join(dir, f.name), f.bytes);
      const name = label?.trim() || toWrite.name;
      fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ name, uploadedAt: new Date().toISOString(), format: toWrite.format }) + '\n');
      try {
        const model = await loadAnyModel(toWrite.format === 'onnx' ? path.join(dir, 'model.onnx') : dir);
        const info = { kind: model.kind, inputShape: model.inputShape, numClasses: model.numClasses };
        model.dispose();
        pruneOldest(server.storage.dir('uploads', 'models'), KEEP_MODELS, new Set([id]));
        return reply.code(201).send({ ref: `upload:${id}`, source: 'upload', name, ready: true, format: toWrite.format, ...info });
      } catch (e) {
        // The loader names files by their server paths; the user knows them by their names.
        if (isGlassboxError(e)) fail(e.message.split(`${dir}${path.sep}`).join('').split(dir).join(name));
        fail(`${toWrite.name} cannot be loaded as a ${toWrite.format === 'onnx' ? 'ONNX' : 'TF.js'} model: ${String((e as Error).message).split('\n')[0]}`);
      }
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  });
}

/** Decides by content what was uploaded; fails with what is missing or wrong. */
function identifyModel(files: { name: string; bytes: Buffer }[]): { format: 'onnx' | 'tfjs'; name: string; files: { name: string; bytes: Buffer }[] } {
  const manifests = files.map((f) => ({ f, m: parseTfjsModelJson(f.bytes) })).filter((x) => x.m);
  if (manifests.length > 1) fail('the upload holds several model.json files: upload one model at a time');
  if (manifests.length === 1) {
    const { f, m } = manifests[0];
    const given = new Map(files.filter((x) => x !== f).map((x) => [x.name, x]));
    for (const p of m!.weightPaths) {
      if (!WEIGHT_NAME.test(p)) fail(`${f.name} names a weight file "${p}" with a folder or odd characters; only plain file names next to model.json are accepted`);
    }
    const missing = m!.weightPaths.filter((p) => !given.has(p));
    if (missing.length) fail(`${f.name} needs its weight file${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: select ${missing.length > 1 ? 'them' : 'it'} together with model.json`);
    const extra = [...given.keys()].filter((n) => !m!.weightPaths.includes(n));
    if (extra.length) fail(`${extra.join(', ')} ${extra.length > 1 ? 'are' : 'is'} not named in ${f.name}'s weightsManifest`);
    return { format: 'tfjs', name: f.name === 'model.json' ? 'TF.js model' : f.name.replace(/\.json$/i, ''), files: [{ name: 'model.json', bytes: f.bytes }, ...m!.weightPaths.map((p) => given.get(p)!)] };
  }
  if (files.length === 1 && looksLikeOnnx(files[0].bytes)) {
    return { format: 'onnx', name: files[0].name.replace(/\.onnx$/i, ''), files: [{ name: 'model.onnx', bytes: files[0].bytes }] };
  }
  if (files.length === 1) fail(`${files[0].name} is neither an ONNX model nor a TF.js model.json (the file's content decides, not its name)`);
  fail(`no model.json among ${files.map((f) => f.name).join(', ')}: upload one .onnx file, or model.json with its weight files`);
}
