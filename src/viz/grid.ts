/** Side-by-side comparison: labelled tiles (PNG pictures) laid out on a grid, as SVG and PNG. */
import sharp from 'sharp';
import { escapeXml } from './svg-chart.js';

export interface Tile {
  title: string;
  subtitle?: string;
  png: Buffer;
  width: number;
  height: number;
}

export function gridSvg(tiles: Tile[], columns = tiles.length): string {
  const cols = Math.max(1, Math.min(columns, tiles.length));
  const cellW = Math.max(...tiles.map((t) => t.width)) + 16;
  const cellH = Math.max(...tiles.map((t) => t.height)) + 44;
  const rows = Math.ceil(tiles.length / cols);
  const width = cols * cellW;
  const height = rows * cellH;
  const parts = tiles.map((t, i) => {
    const x = (i % cols) * cellW + 8;
    const y = Math.floor(i / cols) * cellH + 4;
    return `<text x="${x}" y="${y + 13}" font-family="sans-serif" font-size="13" font-weight="600">${escapeXml(t.title)}</text>` +
      (t.subtitle ? `<text x="${x}" y="${y + 28}" font-family="sans-serif" font-size="11" fill="#4b5563">${escapeXml(t.subtitle)}</text>` : '') +
      `<image x="${x}" y="${y + 34}" width="${t.width}" height="${t.height}" href="data:image/png;base64,${t.png.toString('base64')}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${parts.join('')}</svg>`;
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
