/**
 * File types by content, not by name: what an upload's first bytes say it is. Names only break
 * ties a format leaves open (model.json vs weights).
 */
export type InputFileType = 'png' | 'jpeg' | 'webp' | 'gif' | 'npy';

const startsWith = (b: Uint8Array, bytes: number[], at = 0) => b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);

export function sniffInput(b: Uint8Array): InputFileType | undefined {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'gif';
  if (startsWith(b, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  return undefined;
}

/**
 * An ONNX file is a protobuf ModelProto: its first byte is the tag of one of ModelProto's fields
 * (1 ir_version … 20 functions) with that field's wire type. Exporters write ir_version first
 * (0x08), but any valid field tag is accepted; the ONNX reader then decides for good.
 */
const MODEL_PROTO_FIELDS: Record<number, number> = {
  1: 0, // ir_version: varint
  2: 2, // producer_name
  3: 2, // producer_version
  4: 2, // domain
  5: 0, // model_version
  6: 2, // doc_string
  7: 2, // graph
  8: 2, // opset_import
  14: 2, // metadata_props
  20: 2, // training_info
  25: 2, // functions
  26: 2, // configuration
};

export function looksLikeOnnx(b: Uint8Array): boolean {
  if (b.length < 16) return false;
  // Tags of fields ≥ 16 take two varint bytes.
  let tag = b[0];
  if (tag & 0x80) tag = (tag & 0x7f) | (b[1] << 7);
  const field = tag >> 3;
  const wire = tag & 7;
  return MODEL_PROTO_FIELDS[field] === wire;
}

/** A TF.js model.json: a JSON object with a modelTopology and a weightsManifest. */
export function parseTfjsModelJson(b: Uint8Array): { weightPaths: string[]; weightBytes: number } | undefined {
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8').replace(/^\uFEFF/, '');
  if (!text.trimStart().startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const j = json as { modelTopology?: unknown; weightsManifest?: Array<{ paths?: unknown; weights?: Array<{ shape?: number[]; dtype?: string }> }> };
  if (typeof j !== 'object' || j === null || !j.modelTopology || !Array.isArray(j.weightsManifest)) return undefined;
  const weightPaths: string[] = [];
  let weightBytes = 0;
  for (const group of j.weightsManifest) {
    if (!Array.isArray(group.paths)) return undefined;
    for (const p of group.paths) {
      if (typeof p !== 'string') return undefined;
      weightPaths.push(p);
    }
    for (const w of group.weights ?? []) {
      const n = (w.shape ?? []).reduce((a, c) => a * c, 1);
      weightBytes += n * (w.dtype === 'int8' || w.dtype === 'uint8' || w.dtype === 'bool' ? 1 : w.dtype === 'int16' || w.dtype === 'float16' ? 2 : 4);
    }
  }
  return { weightPaths, weightBytes };
}
