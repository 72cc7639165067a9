/**
 * The web app in headless Chromium (Debian's chromium driven by playwright-core): upload an
 * image, explain it with two methods and see both heatmaps, a bad upload's error message, the SAG
 * view, the training page, an evaluation run from the Compare page, and the Layers page. Each
 * page's screenshot goes to docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { ensureWebBuilt } from '../../src/server/index.js';
import { makeDataDir, startTestServer } from '../server/helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const SHOTS = path.resolve('docs/screenshots');
const title = CHROMIUM
  ? 'web app in headless Chromium'
  : 'web app in headless Chromium (SKIPPED: Debian chromium is not installed; `bash scripts/setup-web.sh` installs it)';
if (!CHROMIUM) process.stderr.write(`e2e: ${title}\n`);

/** A 28×28 picture of a "1": a bright vertical stroke on black. */
async function drawnOne(): Promise<Buffer> {
  const px = Buffer.alloc(28 * 28);
  for (let y = 5; y < 23; y++) for (let x = 13; x < 16; x++) px[y * 28 + x] = 255;
  return sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
}

/** Standard deviation of an <img>'s pixels, read through a canvas in the page. */
function imageSpread(page: Page, selector: string, index: number): Promise<number> {
  return page.$$eval(
    selector,
    (imgs, i) => {
      const img = imgs[i] as HTMLImageElement;
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let s = 0;
      let s2 = 0;
      const n = d.length / 4;
      for (let p = 0; p < d.length; p += 4) {
        const v = (d[p] + d[p + 1] + d[p + 2]) / 3;
        s += v;
        s2 += v * v;
      }
      return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    },
    index,
  );
}

describe.skipIf(!CHROMIUM)(title, () => {
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    const data = await makeDataDir();
    server = await startTestServer(data);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('uploads an image, explains it with two methods and shows both heatmaps', async () => {
    await page.goto(`${server.url}#/explain`);
    await page.waitForSelector('[data-testid=model-select] option[value="run:mnist-tiny"]', { state: 'attached' });
    await page.selectOption('[data-testid=model-select]', 'run:mnist-tiny');
    await page.setInputFiles('[data-testid=input-upload]', { name: 'one.png', mimeType: 'image/png', buffer: await drawnOne() });
    await expect.poll(() => page.textContent('[data-testid=uploaded]')).toContain('one.png (28×28)');
    for (const m of ['gradient', 'grad-cam']) await page.check(`[data-testid=methods] input[value="${m}"]`);
    const checked = await page.$$eval('[data-testid=methods] input.method-check:checked', (els) => els.map((e) => (e as HTMLInputElement).value));
    expect(checked.sort()).toEqual(['grad-cam', 'gradient']);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=results]');

    const cards = await page.$$eval('[data-testid=heatmap-card]', (els) => els.map((e) => e.getAttribute('data-method')));
    expect(cards).toEqual(['gradient', 'grad-cam']);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=heatmap]')].every((i) => i.complete && i.naturalWidth >= 224));
    // Both heatmaps are real pictures (not blank), and different from each other.
    const spreads = [await imageSpread(page, '[data-testid=heatmap]', 0), await imageSpread(page, '[data-testid=heatmap]', 1)];
    for (const s of spreads) expect(s).toBeGreaterThan(5);
    const sources = await page.$$eval('[data-testid=heatmap]', (els) => els.map((e) => (e as HTMLImageElement).src));
    expect(new Set(sources).size).toBe(2);
    const timings = await page.$$eval('[data-testid=timing]', (els) => els.map((e) => e.textContent ?? ''));
    for (const t of timings) expect(t).toMatch(/^\d+\.\d ms$/);
    expect(await page.textContent('[data-testid=summary]')).toMatch(/gradient: target \d.*\n {2}\S.*\ngrad-cam: target \d.*layer.*\n {2}\S/);
    // Each map in words under its picture, and how the two methods agree.
    const words = await page.$$eval('[data-testid=words]', (els) => els.map((e) => e.textContent ?? ''));
    expect(words).toHaveLength(2);
    for (const w of words) expect(w).toMatch(/(Most of the|The largest shares of the) (positive evidence|attribution) for "\d" (lies|are) in the /);
    expect(await page.textContent('[data-testid=agreement]')).toMatch(/^gradient and grad-cam .+ on where the evidence is \(Spearman ρ -?\d\.\d\d\)\.$/);

    // The opacity slider sets the heatmaps' opacity; the colour map re-renders them.
    await page.fill('[data-testid=opacity]', '0.8');
    expect(await page.$$eval('[data-testid=heatmap]', (els) => els.map((e) => (e as HTMLElement).style.opacity))).toEqual(['0.8', '0.8']);
    await page.selectOption('[data-testid=colormap]', 'gray');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=heatmap]')].every((i) => i.src.includes('colormap=gray') && i.complete && i.naturalWidth > 0));
    // A grey colour map gives grey pixels: red = green = blue.
    const grey = await page.$eval('[data-testid=heatmap]', (img) => {
      const i = img as HTMLImageElement;
      const c = document.createElement('canvas');
      c.width = i.naturalWidth;
      c.height = i.naturalHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(i, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let off = 0;
      for (let p = 0; p < d.length; p += 4) off = Math.max(off, Math.abs(d[p] - d[p + 1]), Math.abs(d[p + 1] - d[p + 2]));
      return off;
    });
    expect(grey).toBeLessThanOrEqual(1);
    await page.selectOption('[data-testid=colormap]', 'auto');
    await page.fill('[data-testid=opacity]', '0.55');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=heatmap]')].every((i) => !i.src.includes('colormap=') && i.complete));

    // The download links serve what they say: a PNG overlay and a .npy array.
    const links = await page.$$eval('[data-testid=heatmap-card] .downloads a', (els) => els.map((e) => (e as HTMLAnchorElement).href));
    const png = Buffer.from(await (await fetch(links[0])).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const npy = Buffer.from(await (await fetch(links[1])).arrayBuffer());
    expect(npy.subarray(1, 6).toString()).toBe('NUMPY');
    expect(npy.toString('latin1', 10, 80)).toContain("'shape': (28, 28, 1)");
    await page.screenshot({ path: path.join(SHOTS, 'explain.png'), fullPage: true });
  });

  it('shows a clear error message for a bad upload', async () => {
    await page.setInputFiles('[data-testid=input-upload]', { name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('this is a text file, not a picture\n') });
    const error = page.locator('[data-testid=inputs] ~ [data-testid=error], .field [data-testid=error]').first();
    await error.waitFor();
    expect(await error.textContent()).toContain('holiday.png is not an image or a NumPy array');
    await page.screenshot({ path: path.join(SHOTS, 'explain-error.png') });
  });

  it('builds a structured attention graph and shows it zoomable, with node images and probabilities', async () => {
    await page.click('[data-testid=nav-sag]');
    await page.waitForSelector('[data-testid=model-select] option[value="run:mnist-tiny"]', { state: 'attached' });
    await page.selectOption('[data-testid=model-select]', 'run:mnist-tiny');
    await page.click('[data-testid=inputs] button[data-ref="sample:mnist-digit-7.png"]');
    await page.fill('[data-testid=sag-grid]', '4');
    await page.click('[data-testid=run-sag]');
    await page.waitForSelector('[data-testid=sag-graph] svg', { timeout: 60_000 });
    const images = await page.$$eval('[data-testid=sag-graph] svg image', (els) => els.length);
    expect(images).toBeGreaterThan(0);
    const text = await page.textContent('[data-testid=sag-graph] svg');
    expect(text).toMatch(/0\.\d\d/);
    expect(await page.textContent('[data-testid=sag-expression]')).toMatch(/^P\d+/);
    // The graph starts fitted to the view; + zooms by 1.25, Fit goes back.
    const scale = async () => Number(await page.getAttribute('[data-testid=sag-graph]', 'data-scale'));
    const fitted = await scale();
    expect(fitted).toBeGreaterThan(0.1);
    expect(fitted).toBeLessThanOrEqual(1);
    await page.click('[data-testid=zoom-in]');
    expect((await scale()) / fitted).toBeCloseTo(1.25, 3);
    await page.click('button:has-text("Fit")');
    expect(await scale()).toBeCloseTo(fitted, 3);
    await page.screenshot({ path: path.join(SHOTS, 'sag.png'), fullPage: true });
  });

  it('shows the training run: learning curves, confusion matrix and report link', async () => {
    await page.click('[data-testid=nav-training]');
    await page.waitForSelector('[data-testid=run-detail]');
    expect(await page.textContent('[data-testid=test-accuracy]')).toMatch(/^\d+\.\d%$/);
    expect(await page.$$eval('[data-testid=loss-chart] svg polyline', (els) => els.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval('[data-testid=accuracy-chart] svg polyline', (els) => els.length)).toBeGreaterThanOrEqual(2);
    // 10 classes: at least the 100 cells of the matrix.
    expect(await page.$$eval('[data-testid=confusion] svg rect', (els) => els.length)).toBeGreaterThanOrEqual(100);
    const report = await page.getAttribute('[data-testid=report-link]', 'href');
    const res = await fetch(new URL(report!, server.url));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html');
    await page.waitForSelector('[data-testid=no-dynamics]');
    await page.screenshot({ path: path.join(SHOTS, 'training.png'), fullPage: true });
  });

  it('runs an evaluation from the Compare page and shows its table and curves', async () => {
    await page.click('[data-testid=nav-compare]');
    await page.waitForSelector('[data-testid=model-select] option[value="run:mnist-tiny"]', { state: 'attached' });
    await page.selectOption('[data-testid=model-select]', 'run:mnist-tiny');
    await page.fill('[data-testid=eval-count]', '4');
    await page.click('[data-testid=run-eval]');
    await page.waitForSelector('[data-testid=benchmark-table]', { timeout: 90_000 });
    const rows = await page.$$eval('[data-testid=benchmark-table] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(['gradient', 'grad-cam']);
    for (const r of rows) for (const cell of r.slice(2)) expect(cell).toMatch(/^\d/);
    expect(await page.$$eval('[data-testid=curve-deletion] svg polyline', (els) => els.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval('[data-testid=curve-insertion] svg polyline', (els) => els.length)).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: path.join(SHOTS, 'compare.png'), fullPage: true });
  });

  it('shows the feature maps of a chosen layer', async () => {
    await page.click('[data-testid=nav-layers]');
    await page.waitForSelector('[data-testid=model-select] option[value="run:mnist-tiny"]', { state: 'attached' });
    await page.selectOption('[data-testid=model-select]', 'run:mnist-tiny');
    await page.waitForSelector('[data-testid=layer-select] option[value=conv1]', { state: 'attached' });
    await page.selectOption('[data-testid=layer-select]', 'conv1');
    await page.click('[data-testid=run-layers]');
    await page.waitForSelector('[data-testid=layers-result]');
    await page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('[data-testid=layer-picture]');
      return !!i && i.complete && i.naturalWidth > 0;
    });
    expect(await page.textContent('[data-testid=layers-result] h3')).toContain('Feature maps of conv1 (8 of 8 channels');
    expect(await imageSpread(page, '[data-testid=layer-picture]', 0)).toBeGreaterThan(5);
    await page.screenshot({ path: path.join(SHOTS, 'layers.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
