/**
 * The data folder: everything the web app reads or writes lives under one root. Every path that
 * comes from a request goes through `resolveInside`, which rejects absolute paths, `..`, odd
 * characters and symlinks that lead outside the root (resolve + realpath + prefix check).
 *
 * Layout (under the root, e.g. runs/):
 *   <any>/run.json                trained runs (`glassbox train`), found by scanning
 *   <any>/benchmark.json          benchmark and evaluation reports, found by scanning
 *   .glassbox-web/uploads/inputs/ uploaded images and .npy arrays (<random id>.<ext>)
 *   .glassbox-web/uploads/models/ uploaded models, one folder each
 *   .glassbox-web/samples/        built-in sample inputs
 *   .glassbox-web/examples/       built-in example models, trained on first use
 *   .glassbox-web/jobs/<id>/      job outputs (PNG, .npy, SVG, reports)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';

export const WEB_DIR = '.glassbox-web';

export class Storage {
  readonly root: string;

  constructor(root: string) {
    fs.mkdirSync(root, { recursive: true });
    this.root = fs.realpathSync(path.resolve(root));
    for (const d of ['uploads/inputs', 'uploads/models', 'samples', 'examples', 'jobs']) {
      fs.mkdirSync(path.join(this.root, WEB_DIR, d), { recursive: true });
    }
  }

  /** Absolute path of a folder the server itself names (never from a request). */
  dir(...parts: string[]): string {
    return path.join(this.root, WEB_DIR, ...parts);
  }

  /** A request's relative path, resolved inside the root; fails with a one-line reason otherwise. */
  resolveInside(relative: string, mustExist = true): string {
    return resolveInside(this.root, relative, mustExist);
  }

  /** Root-relative form of an absolute path inside the root, with forward slashes. */
  relative(absolute: string): string {
    return path.relative(this.root, absolute).split(path.sep).join('/');
  }

  newId(): string {
    return crypto.randomBytes(8).toString('hex');
  }
}

const SAFE_SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9._+-]*$/;

export function resolveInside(root: string, relative: string, mustExist = true): string {
  if (typeof relative !== 'string' || relative.length === 0) fail('path is empty');
  if (relative.length > 512) fail('path is too long');
  if (relative.includes('\0')) fail('path contains a NUL character');
  if (path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || relative.startsWith('\\')) {
    fail(`path ${JSON.stringify(relative)} is absolute: give a path inside the data folder`);
  }
  const segments = relative.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) fail(`path ${JSON.stringify(relative)} contains "..": give a path inside the data folder`);
  if (segments.length === 0) fail('path is empty');
  if (!segments.every((s) => SAFE_SEGMENT.test(s))) fail(`path ${JSON.stringify(relative)} has characters a data-folder path cannot have`);
  const resolved = path.resolve(root, ...segments);
  if (!isInside(root, resolved)) fail(`path ${JSON.stringify(relative)} is outside the data folder`);
  if (!fs.existsSync(resolved)) {
    if (mustExist) fail(`not found: ${relative}`);
    return resolved;
  }
  // A symlink inside the root may still lead out of it.
  const real = fs.realpathSync(resolved);
  if (!isInside(root, real)) fail(`path ${JSON.stringify(relative)} leads outside the data folder`);
  return real;
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Folders under `root` holding `fileName`, at most `maxDepth` levels down, skipping hidden
 * folders, node_modules, checkpoints and symlinks. Returns root-relative folder paths.
 */
export function findFolders(root: string, fileName: string, maxDepth = 4, skipHidden = true): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === fileName)) found.push(path.relative(root, dir).split(path.sep).join('/'));
    if (depth >= maxDepth) return;
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if ((skipHidden && e.name.startsWith('.')) || e.name === 'node_modules' || e.name === 'checkpoints' || e.name === 'cache' || e.name === 'tb') continue;
      walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return found.sort();
}

/** Removes the oldest entries of a folder beyond `keep` (job outputs, uploads). */
export function pruneOldest(dir: string, keep: number, except: Set<string> = new Set()): void {
  let entries: { name: string; mtime: number }[];
  try {
    entries = fs.readdirSync(dir).map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }));
  } catch {
    return;
  }
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(keep)) {
    if (except.has(e.name)) continue;
    fs.rmSync(path.join(dir, e.name), { recursive: true, force: true });
  }
}
