/** Writes a run's evaluation report: metrics.json, report.md, report.html and confusion.png. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GlassboxError } from '../../core/errors.js';
import { encodePng } from '../../viz/png.js';
import { renderConfusionPng } from './confusion-image.js';
import { toJson } from './format.js';
import { renderReportHtml } from './html.js';
import { renderReportMarkdown } from './markdown.js';
import type { ReportImage, ReportInput } from './types.js';

export interface ReportFiles {
  metricsJson: string;
  markdown: string;
  html: string;
  confusionPng: string;
}

export async function writeReport(dir: string, input: ReportInput): Promise<ReportFiles> {
  const k = input.metrics.classNames.length;
  (input.misclassified ?? []).forEach((e, i) => {
    for (const [what, c] of [
      ['true', e.true],
      ['pred', e.pred],
    ] as const) {
      if (!Number.isInteger(c) || c < 0 || c >= k) {
        throw new GlassboxError(
          `misclassified example ${i}: ${what} class ${c} is outside 0..${k - 1}`,
        );
      }
    }
  });
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new GlassboxError(`cannot create report folder ${dir}: ${(e as Error).message}`);
  }
  const files: ReportFiles = {
    metricsJson: path.join(dir, 'metrics.json'),
    markdown: path.join(dir, 'report.md'),
    html: path.join(dir, 'report.html'),
    confusionPng: path.join(dir, 'confusion.png'),
  };
  const uris: string[] = [];
  for (const e of input.misclassified ?? []) uris.push(await pngDataUri(e));
  const { runName, config, history, metrics } = input;
  fs.writeFileSync(files.metricsJson, toJson({ runName, metrics, history, config }) + '\n');
  fs.writeFileSync(files.markdown, renderReportMarkdown(input));
  fs.writeFileSync(files.html, renderReportHtml(input, uris));
  fs.writeFileSync(files.confusionPng, await renderConfusionPng(metrics.confusion));
  return files;
}

async function pngDataUri(image: ReportImage): Promise<string> {
  const png =
    'png' in image
      ? image.png
      : await encodePng(image.pixels, image.width, image.height, image.channels);
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}
