/** Training: runs with their learning curves, confusion matrix, report, and dynamics views. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Section, Svg, useJson } from '../components';

interface RunSummary {
  path: string;
  name: string;
  createdAt?: string;
  dataset?: string;
  architecture?: string;
  epochs?: number;
  testAccuracy?: number;
}

interface RunDetail {
  path: string;
  name: string;
  dataset?: string;
  architecture?: string;
  metrics?: { test?: { accuracy?: number; macroF1?: number; loss?: number }; validation?: { accuracy?: number; loss?: number } };
  charts: { loss?: string; accuracy?: string; confusion?: string };
  files: { report?: string; markdown?: string; confusion?: string; runJson?: string };
  tensorboard?: string;
  dynamics: { name: string; path: string; type: string }[];
}

const fileUrl = (p: string) => `/api/files?path=${encodeURIComponent(p)}`;
const pct = (v?: number) => (v === undefined || v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export function TrainingPage() {
  const runs = useJson<RunSummary[]>('/api/runs');
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!selected && runs.data?.length) setSelected(runs.data[0].path);
  }, [runs.data]);
  const detail = useJson<RunDetail>(selected ? `/api/runs/detail?path=${encodeURIComponent(selected)}` : undefined);
  const d = detail.data;
  return (
    <div class="page training">
      <aside>
        <Section title="Runs">
          <ErrorBox error={runs.error} />
          {runs.data && !runs.data.length && <p class="hint">No training runs in the data folder yet. Train one with `glassbox train configs/mnist-cnn.json`, or explain with the built-in example, which trains on first use.</p>}
          <ul class="list" data-testid="runs">
            {runs.data?.map((r) => (
              <li key={r.path}>
                <button class={`link ${r.path === selected ? 'selected' : ''}`} onClick={() => setSelected(r.path)}>
                  {r.path.startsWith('.glassbox-web/examples/') ? `built-in example: ${r.path.split('/').pop()}` : r.path}
                </button>
                <small>
                  {r.name} · {r.dataset} · {r.architecture} · {r.epochs} epochs · test {pct(r.testAccuracy)}
                </small>
              </li>
            ))}
          </ul>
        </Section>
      </aside>
      <main>
        <ErrorBox error={detail.error} />
        {d && (
          <div data-testid="run-detail">
            <h2>{d.name}</h2>
            <p>
              {d.dataset} · {d.architecture} · test accuracy <strong data-testid="test-accuracy">{pct(d.metrics?.test?.accuracy)}</strong>, macro F1 {d.metrics?.test?.macroF1?.toFixed(3) ?? '–'}
              {d.files.report && (
                <>
                  {' · '}
                  <a href={fileUrl(d.files.report)} target="_blank" rel="noopener" data-testid="report-link">
                    full report
                  </a>
                </>
              )}
            </p>
            <div class="charts">
              {d.charts.loss && <Svg markup={d.charts.loss} testid="loss-chart" />}
              {d.charts.accuracy && <Svg markup={d.charts.accuracy} testid="accuracy-chart" />}
              {d.charts.confusion && <Svg markup={d.charts.confusion} testid="confusion" />}
            </div>
            {d.tensorboard && (
              <p class="hint">
                TensorBoard: <code>{d.tensorboard}</code>
              </p>
            )}
            <h3>Training dynamics</h3>
            {d.dynamics.length === 0 ? (
              <p class="hint" data-testid="no-dynamics">
                This run has no training-dynamics views (overfitting signals, activation and gate animations); `glassbox dynamics` writes them into the run folder.
              </p>
            ) : (
              <div class="cards" data-testid="dynamics">
                {d.dynamics.map((f) => (
                  <figure class="card" key={f.path}>
                    <figcaption>{f.name}</figcaption>
                    {['png', 'gif', 'svg'].includes(f.type) ? (
                      <img src={fileUrl(f.path)} alt={f.name} />
                    ) : (
                      <a href={fileUrl(f.path)} target="_blank" rel="noopener">
                        open
                      </a>
                    )}
                  </figure>
                ))}
              </div>
            )}
          </div>
        )}
      </main>
    </div>
  );
}
