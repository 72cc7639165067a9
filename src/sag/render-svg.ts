/**
 * Draws a SAG as one self-contained SVG: a key (the image with its numbered patch grid), then the
 * graph in layers by patch count, largest sets on top. Each node is the image with only its
 * patches visible (the rest dimmed) and its target probability; roots have a heavy frame. Edges
 * run from a set to the set without one patch, labelled with that patch and coloured (and
 * thickened) by the probability drop relative to the full image. The image is embedded once.
 */
import { escapeXml } from '../viz/svg-chart.js';
import type { SagResult } from './types.js';
import type { SagNode } from './graph.js';

export interface SagSvgOptions {
  /** PNG of the input image as displayed (any size; it is stretched to the grid). */
  imagePng?: Buffer;
  /** Node thumbnail width in px (default 112). */
  nodeSize?: number;
  /** Opacity of the dimming over hidden patches (default 0.8). */
  dim?: number;
  /** Draw image pixels sharply (for small images such as 32×32); default: when the image is under 96 px. */
  pixelated?: boolean;
}

// matplotlib "Reds", light to dark.
const REDS: [number, number, number][] = [
  [252, 187, 161],
  [252, 146, 114],
  [251, 106, 74],
  [222, 45, 38],
  [165, 15, 21],
  [103, 0, 13],
];

export function dropColour(t: number): string {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (REDS.length - 1);
  const i = Math.min(Math.floor(pos), REDS.length - 2);
  const f = pos - i;
  const rgb = [0, 1, 2].map((k) => Math.round(REDS[i][k] + (REDS[i + 1][k] - REDS[i][k]) * f));
  return '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
}

const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

export function renderSagSvg(r: SagResult, opts: SagSvgOptions = {}): string {
  const { rows, cols, height, width } = r.grid;
  const nodeW = opts.nodeSize ?? 112;
  const nodeH = Math.round((nodeW * height) / width);
  const dim = opts.dim ?? 0.8;
  const pixelated = opts.pixelated ?? Math.max(height, width) < 96;
  const gapX = 36;
  const gapY = 84;
  const labelH = 22;
  const margin = 24;
  const keyW = Math.max(2 * nodeW, 200);
  const keyH = Math.round((keyW * height) / width);
  const rowStarts = Array.from({ length: rows + 1 }, (_, i) => Math.floor((i * height) / rows));
  const colStarts = Array.from({ length: cols + 1 }, (_, i) => Math.floor((i * width) / cols));

  // Layers by patch count, largest on top; within a layer, order by the mean position of parents.
  const sizes = [...new Set(r.nodes.map((n) => n.patches.length))].sort((a, b) => b - a);
  const layers: SagNode[][] = sizes.map((size) => r.nodes.filter((n) => n.patches.length === size));
  const slot = new Map<number, number>();
  const parents = new Map<number, number[]>();
  for (const e of r.edges) parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  for (const layer of layers) {
    const key = (n: SagNode) => {
      const ps = (parents.get(n.id) ?? []).filter((p) => slot.has(p));
      return ps.length ? ps.reduce((s, p) => s + slot.get(p)!, 0) / ps.length : -1;
    };
    layer.sort((a, b) => key(a) - key(b) || a.id - b.id);
    // Slots are in units of the widest layer so barycentres compare across layers.
    layer.forEach((n, i) => slot.set(n.id, (i + 0.5) / layer.length));
  }
  const widest = Math.max(1, ...layers.map((l) => l.length));
  const graphW = widest * nodeW + (widest - 1) * gapX;
  const graphX = margin + keyW + 2 * margin;
  const top = margin + 28;
  const pos = new Map<number, { x: number; y: number }>();
  layers.forEach((layer, li) => {
    const w = layer.length * nodeW + (layer.length - 1) * gapX;
    const x0 = graphX + (graphW - w) / 2;
    layer.forEach((n, i) =>
      pos.set(n.id, { x: x0 + i * (nodeW + gapX), y: top + li * (nodeH + labelH + gapY) }),
    );
  });
  const graphH = layers.length * (nodeH + labelH + gapY) - gapY;
  const totalW = graphX + graphW + margin;
  const legendY = top + keyH + 70;
  const totalH = Math.max(top + graphH, legendY + 60) + margin;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${fmt(totalW)}" height="${fmt(totalH)}" viewBox="0 0 ${fmt(totalW)} ${fmt(totalH)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  );
  const render = pixelated ? ' style="image-rendering:pixelated"' : '';
  out.push('<defs>');
  if (opts.imagePng) {
    out.push(
      `<image id="sag-image" width="${width}" height="${height}" preserveAspectRatio="none"${render} href="data:image/png;base64,${opts.imagePng.toString('base64')}"/>`,
    );
  } else {
    out.push(`<rect id="sag-image" width="${width}" height="${height}" fill="#bbbbbb"/>`);
  }
  out.push('</defs>');

  const name = r.targetName ? ` (${escapeXml(r.targetName)})` : '';
  out.push(
    `<text x="${margin}" y="${margin + 4}" font-size="15" font-weight="bold">Structured attention graph: class ${r.target}${name}</text>`,
  );

  // Key: the whole image with the numbered grid.
  const keyY = top;
  out.push(
    `<svg x="${margin}" y="${keyY}" width="${keyW}" height="${keyH}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none"><use href="#sag-image" xlink:href="#sag-image"/></svg>`,
  );
  const sx = keyW / width;
  const sy = keyH / height;
  const gridLines: string[] = [];
  for (const y of rowStarts) gridLines.push(`M${fmt(margin)},${fmt(keyY + y * sy)}h${fmt(keyW)}`);
  for (const x of colStarts) gridLines.push(`M${fmt(margin + x * sx)},${fmt(keyY)}v${fmt(keyH)}`);
  // Dark under light: the grid reads on bright and dark images alike.
  out.push(
    `<path d="${gridLines.join('')}" stroke="#000000" stroke-opacity="0.5" stroke-width="2" fill="none"/>`,
  );
  out.push(
    `<path d="${gridLines.join('')}" stroke="#ffffff" stroke-opacity="0.9" stroke-width="1" fill="none"/>`,
  );
  const numSize = Math.max(7, Math.min(13, (keyW / cols) * 0.35));
  for (let p = 0; p < rows * cols; p++) {
    const rr = Math.floor(p / cols);
    const cc = p % cols;
    const cx = margin + ((colStarts[cc] + colStarts[cc + 1]) / 2) * sx;
    const cy = keyY + ((rowStarts[rr] + rowStarts[rr + 1]) / 2) * sy;
    out.push(
      `<text x="${fmt(cx)}" y="${fmt(cy)}" font-size="${fmt(numSize)}" text-anchor="middle" dominant-baseline="central" fill="#ffffff" stroke="#000000" stroke-width="2" paint-order="stroke">${p}</text>`,
    );
  }
  out.push(
    `<text x="${margin}" y="${fmt(keyY + keyH + 18)}">full image: p = ${r.fullProbability.toFixed(3)}</text>`,
  );
  out.push(
    `<text x="${margin}" y="${fmt(keyY + keyH + 34)}" fill="#555555">patches numbered row-major from 0</text>`,
  );

  // Legend: edge colour = drop as a fraction of the full-image probability.
  const legendW = keyW;
  const stops = REDS.map(
    (_, i) =>
      `<stop offset="${(i / (REDS.length - 1)).toFixed(3)}" stop-color="${dropColour(i / (REDS.length - 1))}"/>`,
  ).join('');
  out.push(`<defs><linearGradient id="sag-drop">${stops}</linearGradient></defs>`);
  out.push(
    `<text x="${margin}" y="${legendY - 6}">probability drop on an edge (share of full)</text>`,
  );
  out.push(
    `<rect x="${margin}" y="${legendY}" width="${legendW}" height="10" fill="url(#sag-drop)"/>`,
  );
  out.push(
    `<text x="${margin}" y="${legendY + 24}">0%</text><text x="${margin + legendW}" y="${legendY + 24}" text-anchor="end">100%</text>`,
  );

  // Edges under nodes.
  for (const e of r.edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const t = e.drop / r.fullProbability;
    const x1 = a.x + nodeW / 2;
    const y1 = a.y + nodeH + labelH;
    const x2 = b.x + nodeW / 2;
    const y2 = b.y - 2;
    const c = dropColour(t);
    const w = 1.5 + 3 * Math.min(1, Math.max(0, t));
    out.push(
      `<path d="M${fmt(x1)},${fmt(y1)} C${fmt(x1)},${fmt((y1 + y2) / 2)} ${fmt(x2)},${fmt((y1 + y2) / 2)} ${fmt(x2)},${fmt(y2)}" stroke="${c}" stroke-width="${fmt(w)}" fill="none"><title>remove P${e.removedPatch}: −${(100 * e.drop).toFixed(1)} points</title></path>`,
    );
    const lx = x1 + (x2 - x1) * 0.5;
    const ly = y1 + (y2 - y1) * 0.5;
    out.push(
      `<text x="${fmt(lx)}" y="${fmt(ly)}" font-size="10" text-anchor="middle" fill="#333333" stroke="#ffffff" stroke-width="3" paint-order="stroke">−P${e.removedPatch}</text>`,
    );
  }

  // Nodes.
  for (const n of r.nodes) {
    const { x, y } = pos.get(n.id)!;
    const visible = new Set(n.patches);
    const hidden: string[] = [];
    for (let p = 0; p < rows * cols; p++) {
      if (visible.has(p)) continue;
      const rr = Math.floor(p / cols);
      const cc = p % cols;
      hidden.push(
        `M${colStarts[cc]},${rowStarts[rr]}H${colStarts[cc + 1]}V${rowStarts[rr + 1]}H${colStarts[cc]}z`,
      );
    }
    const title = `${n.patches.map((p) => `P${p}`).join(' & ')}: p = ${n.probability.toFixed(4)} (${((100 * n.probability) / r.fullProbability).toFixed(1)}% of full)`;
    out.push(`<g id="node-${n.id}"><title>${escapeXml(title)}</title>`);
    out.push(
      `<svg x="${fmt(x)}" y="${fmt(y)}" width="${nodeW}" height="${nodeH}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none"><use href="#sag-image" xlink:href="#sag-image"/>${hidden.length ? `<path d="${hidden.join('')}" fill="#000000" fill-opacity="${dim}"/>` : ''}</svg>`,
    );
    const frame = n.root
      ? 'stroke="#1f4e9c" stroke-width="4"'
      : 'stroke="#666666" stroke-width="1"';
    out.push(
      `<rect x="${fmt(x)}" y="${fmt(y)}" width="${nodeW}" height="${nodeH + labelH}" fill="none" ${frame}/>`,
    );
    out.push(
      `<text x="${fmt(x + nodeW / 2)}" y="${fmt(y + nodeH + 15)}" text-anchor="middle" font-weight="${n.root ? 'bold' : 'normal'}">${(100 * n.probability).toFixed(1)}%</text>`,
    );
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
