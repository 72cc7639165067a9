/** SAG: the structured attention graph of one image, zoomable, with node images and probabilities. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, InputPicker, JobPanel, ModelPicker, Section, ZoomableSvg, message, useJob } from '../components';

interface SagResult {
  files: { svg: string; json: string; summary: string; input?: string };
  target: number;
  targetName?: string;
  predicted: number;
  fullProbability: number;
  grid: { rows: number; cols: number };
  roots: { patches: number[]; probability: number; relative: number }[];
  nodes: { id: number; patches: number[]; probability: number; root: boolean }[];
  expression: string;
  summary: string;
  forwardPasses: number;
  milliseconds: number;
}

export function SagPage() {
  const [model, setModel] = useState<string>();
  const [input, setInput] = useState<string>();
  const [grid, setGrid] = useState('5');
  const [beam, setBeam] = useState('3');
  const [target, setTarget] = useState('');
  const [svg, setSvg] = useState<string>();
  const [svgError, setSvgError] = useState<string>();
  const { job, error, busy, start, cancel, setError } = useJob<SagResult>();
  const result = job?.status === 'done' ? job.result : undefined;

  useEffect(() => {
    setSvg(undefined);
    if (!result || !job) return;
    fetch(`/api/jobs/${job.id}/files/${result.files.svg}`)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`the graph could not be loaded (${r.status})`))))
      .then(setSvg)
      .catch((e) => setSvgError(message(e)));
  }, [job?.id, job?.status]);

  const run = () => {
    if (!model || !input) return setError('pick a model and an input first');
    const g = Number(grid);
    if (!Number.isInteger(g) || g < 2 || g > 10) return setError('the grid is a whole number from 2 to 10');
    const t = target.trim() === '' ? undefined : Number(target);
    void start({ type: 'sag', model, input, target: t, options: { grid: g, beam: Number(beam) || 3 } });
  };

  return (
    <div class="page sag">
      <aside>
        <Section title="Model">
          <ModelPicker value={model} onChange={setModel} />
        </Section>
        <Section title="Input">
          <InputPicker value={input} onChange={setInput} />
        </Section>
        <Section title="Search">
          <div class="row">
            <label>
              Patch grid (n×n)
              <input type="number" min={2} max={10} value={grid} onInput={(e) => setGrid((e.currentTarget as HTMLInputElement).value)} data-testid="sag-grid" />
            </label>
            <label>
              Beam width
              <input type="number" min={1} max={10} value={beam} onInput={(e) => setBeam((e.currentTarget as HTMLInputElement).value)} />
            </label>
            <label>
              Target class
              <input type="number" min={0} placeholder="predicted" value={target} onInput={(e) => setTarget((e.currentTarget as HTMLInputElement).value)} />
            </label>
          </div>
          <button onClick={run} disabled={busy} data-testid="run-sag">
            {busy ? 'Searching…' : 'Build the graph'}
          </button>
          <p class="hint">
            A structured attention graph shows the smallest sets of image patches that each keep the model confident (roots), and how the probability drops as patches are removed.
          </p>
        </Section>
      </aside>
      <main>
        <JobPanel job={job} busy={busy} onCancel={cancel} />
        <ErrorBox error={error ?? svgError} onClose={() => setError(undefined)} />
        {result && (
          <div data-testid="sag-result">
            <p>
              Class <strong>{result.targetName ?? result.target}</strong>, full-image probability {result.fullProbability.toFixed(3)}. Roots: <code data-testid="sag-expression">{result.expression || '(none found)'}</code>
            </p>
            <table class="table">
              <thead>
                <tr>
                  <th>root</th>
                  <th>patches</th>
                  <th>probability</th>
                  <th>of full image</th>
                </tr>
              </thead>
              <tbody>
                {result.roots.map((r, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{r.patches.map((p) => `P${p}`).join(' & ')}</td>
                    <td>{r.probability.toFixed(3)}</td>
                    <td>{(r.relative * 100).toFixed(0)}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {svg && <ZoomableSvg markup={svg} testid="sag-graph" />}
            <p class="hint">
              {result.nodes.length} nodes, {result.forwardPasses} forward passes, {(result.milliseconds / 1000).toFixed(1)} s.{' '}
              <a href={`/api/jobs/${job!.id}/files/${result.files.svg}`} download="sag.svg">
                sag.svg
              </a>{' '}
              <a href={`/api/jobs/${job!.id}/files/${result.files.json}`} download="sag.json">
                sag.json
              </a>
            </p>
            <pre>{result.summary}</pre>
          </div>
        )}
      </main>
    </div>
  );
}

