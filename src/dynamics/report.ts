/**
 * `glassbox dynamics`: reads a run's checkpoints, computes the signals, runs the detector and
 * writes into the output folder:
 *   dynamics.json           every signal per layer and epoch, the detection, the validation view
 *   <signal>.svg / .png     one chart per signal (PNG rendered from the SVG by sharp)
 *   summary.md              the verdict and a table per epoch
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { lineChart, type Series } from '../viz/svg-chart.js';
import { openRun } from './checkpoints.js';
import { detectOverfitting, DEFAULT_RULE, growthShare, validationOnset, type Detection, type DetectorRule, type ValidationOnset } from './detector.js';
import type { ProbeSet } from './probe.js';
import { computeSignals, type RunSignals } from './signals.js';
import { NETWORK } from './weights.js';

export interface DynamicsOptions {
  outDir?: string;
  probePerClass?: number;
  seed?: number;
  rule?: Partial<DetectorRule>;
  /** Use this probe set instead of one drawn from the run's data set (tests). */
  probe?: ProbeSet;
  log?: (line: string) => void;
}

export interface DynamicsResult {
  outDir: string;
  signals: RunSignals;
  detection: Detection;
  validation?: ValidationOnset;
  /** Detector epoch − validation onset, when both exist. */
  difference: number | null;
  files: string[];
  seconds: number;
}

export async function runDynamics(runDir: string, options: DynamicsOptions = {}): Promise<DynamicsResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const run = openRun(runDir);
  const outDir = options.outDir ?? path.join(runDir, 'dynamics');
  log(`reading ${run.epochs.length} epoch checkpoints of ${runDir}`);
  const signals = await computeSignals(run, {
    probePerClass: options.probePerClass,
    seed: options.seed,
    probe: options.probe,
  });
  const detection = detectOverfitting(signals, { ...DEFAULT_RULE, ...options.rule });
  const validation = validationOnset(run.history);
  const difference = detection.epoch !== null && validation?.onset != null ? detection.epoch - validation.onset : null;
  fs.mkdirSync(outDir, { recursive: true });
  const files = await writeCharts(outDir, signals, detection, validation);
  const json = path.join(outDir, 'dynamics.json');
  fs.writeFileSync(
    json,
    JSON.stringify(
      {
        format: 'glassbox-dynamics/1',
        run: path.resolve(runDir),
        detection,
        validation: validation ?? null,
        difference,
        signals,
      },
      null,
      1,
    ) + '\n',
  );
  const md = path.join(outDir, 'summary.md');
  fs.writeFileSync(md, summaryMarkdown(runDir, signals, detection, validation, difference));
  files.push(json, md);
  return { outDir, signals, detection, validation, difference, files, seconds: (Date.now() - started) / 1000 };
}

/** The line printed by the CLI. */
export function verdictLine(r: DynamicsResult): string {
  const v = r.validation;
  const classic = !v
    ? 'no validation curve to compare with'
    : v.onset !== null
      ? `validation loss is lowest at epoch ${v.minEpoch} (${v.minLoss.toFixed(4)}) and ends ${(v.rise * 100).toFixed(1)}% higher`
      : `validation loss does not rise (lowest at epoch ${v.minEpoch}, ends ${(v.rise * 100).toFixed(1)}% above it)`;
  const diff = r.difference !== null ? `; detector − validation = ${r.difference >= 0 ? '+' : ''}${r.difference} epochs` : '';
  return `${r.detection.summary}. Classic view: ${classic}${diff}.`;
}

async function writeCharts(outDir: string, s: RunSignals, d: Detection, v: ValidationOnset | undefined): Promise<string[]> {
  const layers = s.layers;
  const epochsOf = (values: Array<number | null>): Array<[number, number]> =>
    values.map((y, i) => [s.epochs[i], y ?? NaN] as [number, number]);
  const perLayer = (pick: (l: RunSignals['layers'][number], i: number) => number | null): Series[] =>
    layers.map((l) => ({
      name: l.layer,
      points: epochsOf(s.epochs.map((_, i) => pick(l, i))),
      ...(l.layer === NETWORK ? { color: '#000000', dashed: true } : {}),
    }));
  const lastEpoch = s.epochs[s.epochs.length - 1];
  const markers = (lo: number, hi: number) => [
    ...(d.epoch !== null ? [{ from: [d.epoch, lo] as [number, number], to: [d.epoch, hi] as [number, number] }] : []),
    ...(v?.onset != null ? [{ from: [v.onset, lo] as [number, number], to: [v.onset, hi] as [number, number] }] : []),
  ];
  const charts: Array<{ file: string; svg: string }> = [];
  const chart = (file: string, title: string, yLabel: string, series: Series[], extraGuides: Array<{ from: [number, number]; to: [number, number] }> = []) => {
    const ys = series.flatMap((x) => x.points.map((p) => p[1])).filter(Number.isFinite);
    const lo = ys.length ? Math.min(...ys) : 0;
    const hi = ys.length ? Math.max(...ys) : 1;
    charts.push({
      file,
      svg: lineChart({ title, xLabel: 'epoch', yLabel, series, integerX: true, width: 560, height: 340, guides: [...markers(lo, hi), ...extraGuides] }),
    });
  };
  chart('relative-change', 'Relative weight change ‖W_t − W_t−1‖ / ‖W_t−1‖', 'relative change', perLayer((l, i) => l.relChange[i]));
  chart('update-cosine', 'Cosine of consecutive updates cos(ΔW_t, ΔW_t−1)', 'cosine', perLayer((l, i) => l.cosine[i]));
  chart('weight-norm', 'Weight norm ‖W_t‖ / ‖W_0‖', 'norm ratio', perLayer((l, i) => l.norm[i] / l.norm[0]));
  chart('norm-growth', 'Norm growth per epoch (‖W_t‖ − ‖W_t−1‖) / ‖W_t−1‖', 'growth', perLayer((l, i) => l.normGrowth[i]));
  const floor = d.rule.minGrowthShare;
  chart('growth-share', `Growth share; dashed: inflation floor ${floor} (median from the settled epoch on)`, 'norm growth / relative change', perLayer((l, i) => growthShare(l, i)), [
    { from: [s.epochs[0], floor], to: [lastEpoch, floor] },
  ]);
  const pace: Series = { name: 'network pace (smoothed)', points: epochsOf(d.evidence.map((e) => e.pace)), color: '#6a3d9a' };
  chart(
    'direction-step',
    `Direction step ∠(W_t−1, W_t)${d.threshold !== null ? `; dashed: ${d.rule.settleFraction} × early pace` : ''}`,
    'radians per epoch',
    [...perLayer((l, i) => l.angle[i]), pace],
    d.threshold !== null ? [{ from: [s.epochs[0], d.threshold], to: [lastEpoch, d.threshold] }] : [],
  );
  if (s.dead.length) {
    chart('dead-units', 'Share of dead ReLU units (never active on the training probe)', 'dead share', s.dead.map((x) => ({ name: x.layer, points: epochsOf(x.share) })));
  }
  const h = s.history.filter((r) => r.epoch > 0);
  const lossSeries: Series[] = [{ name: 'training loss', points: h.map((r) => [r.epoch, r.loss] as [number, number]) }];
  if (v) {
    lossSeries.push({ name: 'validation loss', points: h.map((r) => [r.epoch, r.valLoss ?? NaN] as [number, number]) });
    lossSeries.push({ name: 'gap (validation − training)', points: v.gap.map((g) => [g.epoch, g.gap] as [number, number]), dashed: true });
  }
  chart('loss-curves', 'Loss curves (vertical lines: detector epoch, validation minimum)', 'loss', lossSeries);
  const files: string[] = [];
  for (const c of charts) {
    const svgFile = path.join(outDir, `${c.file}.svg`);
    const pngFile = path.join(outDir, `${c.file}.png`);
    fs.writeFileSync(svgFile, c.svg);
    await sharp(Buffer.from(c.svg), { density: 144 }).png().toFile(pngFile);
    files.push(svgFile, pngFile);
  }
  return files;
}

function summaryMarkdown(runDir: string, s: RunSignals, d: Detection, v: ValidationOnset | undefined, difference: number | null): string {
  const net = s.layers.find((l) => l.layer === NETWORK)!;
  const f = (x: number | null | undefined, digits = 4) => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
  const lines = [
    `# Training dynamics of ${runDir}`,
    '',
    `**Detector (weights only):** ${d.summary}.`,
    '',
    v
      ? `**Validation curve (comparison):** minimum ${v.minLoss.toFixed(4)} at epoch ${v.minEpoch}; the last ${v.rule.tail} epochs average ${v.endLoss.toFixed(4)} (${(v.rise * 100).toFixed(1)}% above); ` +
        (v.onset !== null ? `validation loss starts rising after epoch ${v.onset}.` : `no rise of ${v.rule.minRise * 100}% or more: no overfitting visible.`)
      : '**Validation curve:** the run has no validation split.',
    '',
    ...(difference !== null ? [`Detector − validation onset: ${difference >= 0 ? '+' : ''}${difference} epochs.`, ''] : []),
    ...d.warnings.map((w) => `- warning: ${w}`),
    ...(d.warnings.length ? [''] : []),
    `Signals are for the whole network; per-layer values are in dynamics.json. Epoch 0 ${s.initial ? 'is the initial model, rebuilt from the config seed' : 'is missing (the initial model could not be rebuilt)'}.`,
    ...(s.probe ? [`Dead units are measured on ${s.probe}.`] : []),
    '',
    '| epoch | train loss | val loss | rel. change | direction step | pace | update cosine | norm | growth share | settled | ' + s.dead.map((x) => `dead ${x.layer}`).join(' | ') + (s.dead.length ? ' |' : ''),
    '|---|---|---|---|---|---|---|---|---|---|' + s.dead.map(() => '---|').join(''),
    ...s.epochs.map((e, i) => {
      const h = s.history.find((r) => r.epoch === e);
      const ev = d.evidence[i];
      return `| ${e} | ${f(h?.loss)} | ${f(h?.valLoss)} | ${f(net.relChange[i])} | ${f(ev.step)} | ${f(ev.pace)} | ${f(net.cosine[i], 3)} | ${f(net.norm[i], 3)} | ${f(ev.growthShare, 3)} | ${ev.settled ? 'yes' : ''}${e === d.epoch ? ' ← onset' : e === d.settledEpoch ? ' ← settled' : ''} | ` +
        s.dead.map((x) => f(x.share[i], 3)).join(' | ') + (s.dead.length ? ' |' : '');
    }),
    '',
  ];
  return lines.join('\n');
}
