/** Compare: benchmark and evaluation reports (table and deletion/insertion curves); run an evaluation. */
import { useEffect, useState } from 'preact/hooks';
import type { MethodInfo } from '../api';
import { ErrorBox, JobPanel, ModelPicker, Section, Svg, useJob, useJson } from '../components';

interface ReportSummary {
  path: string;
  kind: string;
  createdAt?: string;
  entries: string[];
  methods: number;
  metrics: number;
}

interface Cell {
  mean?: number;
  sem?: number;
  skipped?: string;
  direction: 'higher' | 'lower';
}

interface ReportDetail {
  path: string;
  html?: string;
  charts: Record<string, Record<string, string>>;
  report: {
    createdAt: string;
    count: number;
    metrics: { name: string; title: string; direction: 'higher' | 'lower' }[];
    entries: { name: string; accuracy?: number; count: number; modelSource: string; methods: { method: string; title: string; msPerInput?: number; skipped?: string; metrics: Record<string, Cell> }[] }[];
  };
}

interface MetricsCatalogue {
  metrics: { name: string; title: string; kinds: string[]; needs: string[] }[];
  defaults: { methods: string[]; metrics: string[] };
  datasets: string[];
}

const fmt = (v?: number) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

export function ComparePage() {
  const reports = useJson<ReportSummary[]>('/api/benchmarks');
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (reports.data?.length && !reports.data.some((r) => r.path === selected)) setSelected(reports.data[0].path);
  }, [reports.data]);
  const detail = useJson<ReportDetail>(selected ? `/api/benchmarks/detail?path=${encodeURIComponent(selected)}` : undefined);

  const catalogue = useJson<MetricsCatalogue>('/api/metrics');
  const methods = useJson<MethodInfo[]>('/api/methods');
  const models = useJson<{ ref: string; dataset?: string }[]>('/api/models');
  const [model, setModel] = useState<string>();
  const [data, setData] = useState('mnist');
  const [pickedMethods, setPickedMethods] = useState<string[]>(['gradient', 'grad-cam']);
  const [pickedMetrics, setPickedMetrics] = useState<string[]>(['deletion', 'insertion']);
  const [count, setCount] = useState('8');
  const { job, error, busy, start, cancel, setError } = useJob<{ report: string }>();

  useEffect(() => {
    const ds = models.data?.find((m) => m.ref === model)?.dataset;
    if (ds && catalogue.data?.datasets.includes(ds)) setData(ds);
  }, [model, models.data, catalogue.data]);

  const run = async () => {
    if (!model) return setError('pick a model first');
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1 || n > 64) return setError('inputs: a whole number from 1 to 64');
    const final = await start({ type: 'evaluate', model, data, methods: pickedMethods, metrics: pickedMetrics, count: n });
    if (final?.status === 'done' && final.result) {
      setSelected(final.result.report);
      reports.reload();
    }
  };

  const toggle = (list: string[], set: (v: string[]) => void, name: string, on: boolean) => set(on ? [...list, name] : list.filter((x) => x !== name));
  const r = detail.data?.report;

  return (
    <div class="page compare">
      <aside>
        <Section title="Reports">
          <ErrorBox error={reports.error} />
          {reports.data && !reports.data.length && <p class="hint">No benchmark or evaluation reports yet: run one here, or `glassbox benchmark`.</p>}
          <ul class="list" data-testid="reports">
            {reports.data?.map((rep) => (
              <li key={rep.path}>
                <button class={`link ${rep.path === selected ? 'selected' : ''}`} onClick={() => setSelected(rep.path)}>
                  {rep.kind} · {rep.entries.join(', ')}
                </button>
                <small>
                  {rep.createdAt?.slice(0, 16).replace('T', ' ')} · {rep.methods} methods · {rep.metrics} metrics
                </small>
              </li>
            ))}
          </ul>
        </Section>
        <Section title="Run an evaluation">
          <ModelPicker value={model} onChange={setModel} />
          <label>
            Data set
            <select value={data} onChange={(e) => setData((e.currentTarget as HTMLSelectElement).value)} data-testid="eval-data">
              {catalogue.data?.datasets.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label>
            Inputs
            <input type="number" min={1} max={64} value={count} onInput={(e) => setCount((e.currentTarget as HTMLInputElement).value)} data-testid="eval-count" />
          </label>
          <details open>
            <summary>Methods ({pickedMethods.length})</summary>
            <div class="checks" data-testid="eval-methods">
              {methods.data?.map((m) => (
                <label class="check" key={m.name}>
                  <input type="checkbox" value={m.name} checked={pickedMethods.includes(m.name)} onChange={(e) => toggle(pickedMethods, setPickedMethods, m.name, (e.currentTarget as HTMLInputElement).checked)} />
                  {m.name}
                </label>
              ))}
            </div>
          </details>
          <details open>
            <summary>Metrics ({pickedMetrics.length})</summary>
            <div class="checks" data-testid="eval-metrics">
              {catalogue.data?.metrics.map((m) => (
                <label class="check" key={m.name} title={m.title}>
                  <input type="checkbox" value={m.name} checked={pickedMetrics.includes(m.name)} onChange={(e) => toggle(pickedMetrics, setPickedMetrics, m.name, (e.currentTarget as HTMLInputElement).checked)} />
                  {m.name}
                </label>
              ))}
            </div>
          </details>
          <button onClick={run} disabled={busy} data-testid="run-eval">
            {busy ? 'Evaluating…' : 'Evaluate'}
          </button>
        </Section>
      </aside>
      <main>
        <JobPanel job={job} busy={busy} onCancel={cancel} />
        <ErrorBox error={error ?? detail.error ?? catalogue.error} onClose={() => setError(undefined)} />
        {r && detail.data && (
          <div data-testid="report">
            {r.entries.map((entry) => (
              <div key={entry.name}>
                <h2>
                  {entry.name} <small>({entry.count} inputs{entry.accuracy !== undefined ? `, accuracy ${(entry.accuracy * 100).toFixed(1)}%` : ''}, model {entry.modelSource})</small>
                </h2>
                <div class="table-wrap">
                  <table class="table" data-testid="benchmark-table">
                    <thead>
                      <tr>
                        <th>method</th>
                        <th>ms / input</th>
                        {r.metrics.map((m) => (
                          <th key={m.name} title={m.title}>
                            {m.name} {m.direction === 'higher' ? '↑' : '↓'}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {entry.methods.map((row) => (
                        <tr key={row.method}>
                          <td title={row.title}>{row.method}</td>
                          <td>{row.skipped ? <span title={row.skipped}>skipped</span> : fmt(row.msPerInput)}</td>
                          {r.metrics.map((m) => {
                            const c = row.metrics[m.name];
                            return (
                              <td key={m.name} title={c?.skipped}>
                                {c?.skipped ? '–' : `${fmt(c?.mean)}${c?.sem !== undefined && Number.isFinite(c.sem) ? ` ± ${fmt(c.sem)}` : ''}`}
                              </td>
                            );
                          })}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div class="charts">
                  {Object.entries(detail.data!.charts[entry.name] ?? {}).map(([name, svg]) => (
                    <Svg key={name} markup={svg} testid={`curve-${name}`} />
                  ))}
                </div>
              </div>
            ))}
            {detail.data.html && (
              <a href={`/api/files?path=${encodeURIComponent(detail.data.html)}`} target="_blank" rel="noopener">
                full HTML report
              </a>
            )}
          </div>
        )}
      </main>
    </div>
  );
}
