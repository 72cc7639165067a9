import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import {
  computeClassificationMetrics,
  confusionCellSize,
  writeReport,
  type ReportInput,
} from '../../src/train/report/index.js';
import { heatRgb } from '../../src/viz/svg-chart.js';
import { encodePng } from '../../src/viz/png.js';
import { checkXml } from './xml-check.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The hand-computed case of metrics.test.ts: confusion [[3,1,0],[0,2,1],[2,0,1]], accuracy 0.6.
const yTrue = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
const preds = [0, 0, 0, 1, 1, 1, 2, 2, 0, 0];
const probs = new Float32Array(30).fill(0.05);
preds.forEach((c, i) => (probs[i * 3 + c] = 0.9));
const names = ['cat', 'dog|wolf', 'c<&>'];
const metrics = computeClassificationMetrics(yTrue, probs, names);

const greyPixels = Uint8Array.from({ length: 4 * 4 }, (_, i) => i * 16);

async function input(): Promise<ReportInput> {
  return {
    runName: 'mnist <small>',
    config: { lr: 0.01, model: 'cnn' },
    history: [
      { epoch: 1, loss: 1.25, acc: 0.5, valLoss: 1.5, valAcc: 0.45, lr: 0.01, seconds: 3.2 },
      { epoch: 2, loss: 0.75, acc: 0.7, valLoss: 1.0, valAcc: 0.55, lr: 0.005, seconds: 3.1 },
      { epoch: 3, loss: 0.5, acc: 0.8, valLoss: 0.9, valAcc: 0.6, lr: 0.0025, seconds: 3.0 },
    ],
    metrics,
    misclassified: [
      { pixels: greyPixels, width: 4, height: 4, channels: 1, true: 2, pred: 0, prob: 0.9 },
      {
        png: await encodePng(
          Uint8Array.from({ length: 12 }, (_, i) => i * 20),
          2,
          2,
          3,
        ),
        true: 0,
        pred: 1,
        prob: 0.875,
      },
    ],
  };
}

describe('writeReport', async () => {
  const dir = path.join(tmp, 'report');
  const files = await writeReport(dir, await input());

  it('writes the four files', () => {
    for (const f of Object.values(files)) expect(fs.statSync(f).size).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'confusion.png',
      'metrics.json',
      'report.html',
      'report.md',
    ]);
  });

  it('writes metrics.json with the hand-computed numbers', () => {
    const j = JSON.parse(fs.readFileSync(files.metricsJson, 'utf8'));
    expect(j.runName).toBe('mnist <small>');
    expect(j.metrics.accuracy).toBeCloseTo(0.6, 12);
    expect(j.metrics.confusion).toEqual([
      [3, 1, 0],
      [0, 2, 1],
      [2, 0, 1],
    ]);
    expect(j.metrics.perClass[2].f1).toBeCloseTo(0.4, 12);
    expect(j.metrics.roc[0].thresholds[0]).toBeNull(); // +∞ in JSON
    expect(j.history).toHaveLength(3);
    expect(j.config).toEqual({ lr: 0.01, model: 'cnn' });
  });

  it('writes Markdown tables with the numbers and escaped pipes', () => {
    const md = fs.readFileSync(files.markdown, 'utf8');
    expect(md).toContain('- Accuracy: 0.6000 (60.00 %)');
    // cat: P 3/5, R 3/4, F1 2/3; c: P 1/2, R 1/3, F1 0.4.
    expect(md).toMatch(/\| cat \| 0\.6000 \| 0\.7500 \| 0\.6667 \| 4 \|/);
    expect(md).toMatch(/\| c<&> \| 0\.5000 \| 0\.3333 \| 0\.4000 \| 3 \|/);
    expect(md).toContain('| dog\\|wolf | 0 | 2 | 1 |');
    expect(md).toMatch(/\| \*\*macro avg\*\* \| 0\.5889 \| 0\.5833 \| 0\.5778 \| 10 \|/);
    expect(md).toMatch(/\| \*\*weighted avg\*\* \| 0\.5900 \| 0\.6000 \| 0\.5867 \| 10 \|/);
    expect(md).toContain('| 2 | 0.75 | 0.7000 | 1 | 0.5500 | 0.005 | 3.1 |');
    expect(md).toContain('- c<&> → cat: 2');
    expect(md).toContain('![Confusion matrix');
  });

  it('writes a self-contained HTML page with the numbers, charts and images', async () => {
    const html = fs.readFileSync(files.html, 'utf8');
    expect(html).not.toMatch(/<(script|link)\b|src="http/); // nothing fetched
    expect(html).toContain('60.00 %');
    expect(html).toContain('<td>0.5889</td>'); // macro precision
    expect(html).toContain(
      '<td>c&lt;&amp;&gt;</td><td>0.5000</td><td>0.3333</td><td>0.4000</td><td>3</td>',
    );
    expect(html).toContain('<title>Training report: mnist &lt;small&gt;</title>');
    // AUC of "cat" vs rest, by Mann–Whitney: positives score {0.9, 0.9, 0.9, 0.05}, negatives
    // {0.9, 0.9, 0.05, 0.05, 0.05, 0.05}; each 0.9 beats 4 and ties 2 → 3·5 = 15, the 0.05 ties
    // 4 → 2; AUC = 17 / 24.
    expect(metrics.perClass[0].auc).toBeCloseTo(17 / 24, 12);
    expect(html).toContain(`<td>${(17 / 24).toFixed(4)}</td>`);

    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    // loss, accuracy, learning rate (it changes), confusion, ROC, PR
    expect(svgs).toHaveLength(6);
    for (const s of svgs) checkXml(s);
    expect(svgs.filter((s) => s.includes('aria-label="ROC"'))).toHaveLength(1);
    // The confusion heatmap shows the counts.
    const heat = svgs.find((s) => s.includes('predicted'))!;
    expect([
      ...heat.matchAll(/<rect x="[^"]+" y="[^"]+" width="\d+" height="\d+" fill=/g),
    ]).toHaveLength(9);
    // Clip-path ids are unique within the page.
    const ids = [...html.matchAll(/clipPath id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);

    const uris = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => m[1]);
    expect(uris).toHaveLength(2);
    const grey = await sharp(Buffer.from(uris[0], 'base64')).extractChannel(0).raw().toBuffer();
    expect([...grey]).toEqual([...greyPixels]);
    expect(html).toContain('true: c&lt;&amp;&gt; · predicted: cat (0.900)');
    expect(html).toContain('true: cat · predicted: dog|wolf (0.875)');
  });

  it('draws confusion.png as a heat grid coloured by row share', async () => {
    const { data, info } = await sharp(files.confusionPng)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const s = confusionCellSize(3);
    expect(s).toBe(64);
    expect(info.width).toBe(3 * 65 + 1);
    expect(info.height).toBe(3 * 65 + 1);
    const rowShare = [
      [3 / 4, 1 / 4, 0],
      [0, 2 / 3, 1 / 3],
      [2 / 3, 0, 1 / 3],
    ];
    const px = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    for (let t = 0; t < 3; t++) {
      for (let p = 0; p < 3; p++) {
        expect(px(1 + p * 65 + 32, 1 + t * 65 + 32)).toEqual(heatRgb(rowShare[t][p]));
      }
    }
    expect(px(0, 0)).toEqual([208, 208, 208]);
    expect(px(65, 100)).toEqual([208, 208, 208]);
  });

  it('rejects misclassified examples with unknown classes', async () => {
    const bad = await input();
    bad.misclassified![0].pred = 7;
    await expect(writeReport(path.join(tmp, 'bad'), bad)).rejects.toThrow(GlassboxError);
  });

  it('omits validation curves and the image grid when there are none', async () => {
    const base = await input();
    const f = await writeReport(path.join(tmp, 'noval'), {
      ...base,
      history: base.history.map(({ epoch, loss, acc }) => ({ epoch, loss, acc })),
      misclassified: [],
    });
    const html = fs.readFileSync(f.html, 'utf8');
    expect(html).not.toContain('validation');
    expect(html).not.toContain('Misclassified');
    expect([...html.matchAll(/<svg/g)]).toHaveLength(5);
  });
});
