/**
 * The PyTorch side: finds (or installs, with apt) a Python with Debian's torch and torchvision,
 * and drives bench/torch/worker.py over JSON lines.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const PACKAGES = ['python3-torch', 'python3-torchvision', 'python3-numpy'];
// Debian's interpreter first: a pyenv/venv `python3` earlier on PATH does not see apt's packages.
const CANDIDATES = ['/usr/bin/python3', 'python3'];

function hasTorch(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch, torchvision, numpy'], { stdio: 'ignore' });
  return r.status === 0;
}

/** A Python that imports torch, torchvision and numpy; installs Debian's packages when none does. */
export function ensureTorchPython(log: (m: string) => void): string {
  for (const py of CANDIDATES) if (hasTorch(py)) return py;
  if (process.getuid?.() !== 0) {
    throw new Error(`PyTorch is missing; install it with: sudo apt-get install ${PACKAGES.join(' ')}`);
  }
  log(`PyTorch not found: installing Debian packages ${PACKAGES.join(', ')} with apt-get (one time, a few minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  if (update.status !== 0) throw new Error('apt-get update failed');
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], { stdio: 'inherit', env });
  if (install.status !== 0) throw new Error(`apt-get install ${PACKAGES.join(' ')} failed`);
  for (const py of CANDIDATES) if (hasTorch(py)) return py;
  throw new Error('installed PyTorch, but no python3 imports it');
}

export interface Prepared {
  onnx: string;
  files: { input: string; input_grad: string; layer_act: string; layer_grad: string };
  target: number;
  logit: number;
  layer_prefix: string;
}

export interface TorchInfo {
  python: string;
  torch: string;
  torchvision: string;
  threads: number;
}

/** One long-lived worker process, so PyTorch and Glassbox timings can alternate row by row. */
export class TorchWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(python: string, benchDir: string) {
    this.proc = spawn(python, [path.join(benchDir, 'torch', 'worker.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(`  [torch] ${d}`));
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  async call<T>(cmd: Record<string, unknown>): Promise<T> {
    this.proc.stdin.write(JSON.stringify(cmd) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error('the PyTorch worker exited');
    const out = JSON.parse(next.value);
    if (out.error) throw new Error(`PyTorch worker: ${out.error}`);
    return out as T;
  }

  close(): void {
    this.proc.stdin.end();
  }
}
