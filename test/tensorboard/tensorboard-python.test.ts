/**
 * Opt-in check against TensorBoard itself: set GLASSBOX_TB_PYTHON to a Python that can
 * `import tensorboard` (e.g. a venv with `pip install tensorboard`). TensorBoard's own protos
 * must parse every record and re-serialise it to the same bytes, and its event accumulator
 * must see our scalars, histograms and images.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TensorBoardWriter } from '../../src/train/tensorboard/index.js';
import { encodePng } from '../../src/viz/png.js';

const python = process.env.GLASSBOX_TB_PYTHON;

const SCRIPT = `
import json, struct, sys
from tensorboard.compat.proto import event_pb2
from tensorboard.backend.event_processing import event_accumulator
f = sys.argv[1]
data = open(f, 'rb').read()
pos, identical, records = 0, 0, 0
while pos < len(data):
    (n,) = struct.unpack('<Q', data[pos:pos + 8])
    rec = data[pos + 12:pos + 12 + n]
    identical += event_pb2.Event.FromString(rec).SerializeToString() == rec
    records += 1
    pos += 16 + n
acc = event_accumulator.EventAccumulator(f, size_guidance={'scalars': 0, 'histograms': 0, 'images': 0})
acc.Reload()
h = acc.Histograms('w')[0].histogram_value
im = acc.Images('img')[0]
print(json.dumps({
  'records': records, 'identical': identical,
  'scalars': [[e.step, e.value] for e in acc.Scalars('loss')],
  'histo': [h.num, h.min, h.max, sum(h.bucket)],
  'image': [im.step, im.width, im.height, len(im.encoded_image_string)],
}))
`;

describe.skipIf(!python)('event files read by TensorBoard (GLASSBOX_TB_PYTHON)', () => {
  it('parses, re-serialises identically and loads every summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-tbpy-'));
    try {
      const w = new TensorBoardWriter(dir);
      for (let s = 0; s < 3; s++) w.scalar('loss', 1 / (s + 2), s);
      w.histogram('w', Float32Array.of(-2, -1, 0, 0.5, 3), 0);
      const png = await encodePng(new Uint8Array(4 * 2 * 3).fill(90), 4, 2, 3);
      w.image('img', png, 4, 2, 3, 7);
      w.close();
      const out = JSON.parse(execFileSync(python!, ['-c', SCRIPT, w.file], { encoding: 'utf8' }));
      expect(out.records).toBe(6);
      expect(out.identical).toBe(6);
      expect(out.scalars).toEqual([0, 1, 2].map((s) => [s, Math.fround(1 / (s + 2))]));
      expect(out.histo).toEqual([5, -2, 3, 5]);
      expect(out.image).toEqual([7, 4, 2, png.length]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
