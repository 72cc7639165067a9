/** Explain: a model, an input, several methods; heatmaps side by side. */
import { useMemo, useState } from 'preact/hooks';
import type { MethodInfo } from '../api';
import { ErrorBox, InputPicker, JobPanel, ModelPicker, OptionFields, Section, useJob, useJson, useModelInfo } from '../components';

interface MethodResult {
  index: number;
  method: string;
  title: string;
  milliseconds: number;
  target: number;
  targetName?: string;
  score: number;
  scoreKind: string;
  layer?: string;
  signed: boolean;
  extras: Record<string, number>;
  files: { attribution: string; heatmap: string; plot?: string };
  text?: string;
}

interface ExplainResult {
  model: { name: string; kind: string; inputShape: number[] };
  prediction: { predicted: number; className?: string; top: { index: number; name?: string; probability: number }[] };
  files: { input?: string };
  methods: MethodResult[];
  agreement?: string;
  summary: string;
}

const DEFAULT_PICK = ['gradient', 'grad-cam'];

export function ExplainPage() {
  const [model, setModel] = useState<string>();
  const [input, setInput] = useState<string>();
  const [picked, setPicked] = useState<string[]>(DEFAULT_PICK);
  const [options, setOptions] = useState<Record<string, Record<string, unknown>>>({});
  const [target, setTarget] = useState('');
  const [seed, setSeed] = useState('0');
  const [opacity, setOpacity] = useState(0.5);
  const [colormap, setColormap] = useState('auto');
  const methods = useJson<MethodInfo[]>('/api/methods');
  const colormaps = useJson<string[]>('/api/colormaps');
  const info = useModelInfo(model);
  const { job, error, busy, start, cancel, setError } = useJob<ExplainResult>();

  const kind = info.data?.kind ?? 'image';
  const whiteBox = info.data?.whiteBox ?? true;
  const applicable = useMemo(() => (methods.data ?? []).filter((m) => m.kinds.includes(kind) && (whiteBox || m.needs === 'predict')), [methods.data, kind, whiteBox]);
  const layers = info.data?.layers?.filter((l) => l.spatial).map((l) => l.name);

  const run = () => {
    if (!model || !input) return setError('pick a model and an input first');
    const chosen = picked.filter((p) => applicable.some((m) => m.name === p));
    if (!chosen.length) return setError('pick at least one method');
    const t = target.trim() === '' ? undefined : Number(target);
    if (t !== undefined && (!Number.isInteger(t) || t < 0)) return setError('the target class is a whole number from 0');
    const opts = Object.fromEntries(chosen.filter((m) => options[m] && Object.keys(options[m]).length).map((m) => [m, options[m]]));
    void start({ type: 'explain', model, input, methods: chosen, options: opts, target: t, seed: Number(seed) || 0 });
  };

  const result = job?.status === 'done' ? job.result : undefined;
  const cm = colormap === 'auto' ? undefined : colormap;

  return (
    <div class="page explain">
      <aside>
        <Section title="1. Model">
          <ModelPicker value={model} onChange={setModel} />
          {info.data?.note && <small>{info.data.note}</small>}
          {info.data?.ready && (
            <small>
              {info.data.kind} input [{info.data.inputShape?.join(', ')}], {info.data.numClasses} classes{info.data.whiteBox ? '' : ', black box (perturbation methods only)'}
            </small>
          )}
          <ErrorBox error={info.error} />
        </Section>
        <Section title="2. Input">
          <InputPicker value={input} onChange={setInput} />
        </Section>
        <Section title="3. Methods">
          <div class="methods" data-testid="methods">
            {applicable.map((m) => (
              <div key={m.name} class="method">
                <label class="check" title={m.reference}>
                  <input
                    type="checkbox"
                    class="method-check"
                    value={m.name}
                    checked={picked.includes(m.name)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      setPicked((p) => (on ? [...p, m.name] : p.filter((x) => x !== m.name)));
                    }}
                  />
                  {m.title} <small>({m.name})</small>
                </label>
                {picked.includes(m.name) && Object.keys(m.options.properties ?? {}).length > 0 && (
                  <details>
                    <summary>options</summary>
                    <OptionFields schema={m.options} values={options[m.name] ?? {}} onChange={(v) => setOptions((o) => ({ ...o, [m.name]: v }))} layers={layers} />
                  </details>
                )}
              </div>
            ))}
          </div>
          <div class="row">
            <label>
              Target class
              <input type="number" min={0} placeholder="predicted" value={target} onInput={(e) => setTarget((e.currentTarget as HTMLInputElement).value)} data-testid="target" />
            </label>
            <label>
              Seed
              <input type="number" min={0} value={seed} onInput={(e) => setSeed((e.currentTarget as HTMLInputElement).value)} />
            </label>
          </div>
          <button onClick={run} disabled={busy} data-testid="run">
            {busy ? 'Explaining…' : 'Explain'}
          </button>
        </Section>
      </aside>
      <main>
        <JobPanel job={job} busy={busy} onCancel={cancel} />
        <ErrorBox error={error ?? methods.error} onClose={() => setError(undefined)} />
        {result && (
          <div data-testid="results">
            <div class="toolbar">
              <span class="prediction" data-testid="prediction">
                Predicted <strong>{result.prediction.className ?? result.prediction.predicted}</strong> (p = {result.prediction.top[0].probability.toFixed(3)})
              </span>
              <label>
                Opacity
                <input type="range" min={0} max={1} step={0.05} value={opacity} onInput={(e) => setOpacity(Number((e.currentTarget as HTMLInputElement).value))} data-testid="opacity" />
                <span>{opacity.toFixed(2)}</span>
              </label>
              <label>
                Colour map
                <select value={colormap} onChange={(e) => setColormap((e.currentTarget as HTMLSelectElement).value)} data-testid="colormap">
                  <option value="auto">auto (viridis / blue–white–red for signed)</option>
                  {(colormaps.data ?? []).map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </label>
            </div>
            <div class="cards">
              {result.methods.map((m) => (
                <figure class="card" key={m.index} data-testid="heatmap-card" data-method={m.method}>
                  <figcaption>
                    <strong>{m.title}</strong>
                    <span class="timing" data-testid="timing">
                      {m.milliseconds.toFixed(1)} ms
                    </span>
                  </figcaption>
                  {result.files.input && !m.files.plot ? (
                    <div class="stack">
                      <img class="base" src={`/api/jobs/${job!.id}/files/${result.files.input}`} alt="input" />
                      <img class="heat" data-testid="heatmap" style={{ opacity }} src={`/api/jobs/${job!.id}/heatmap/${m.index}${cm ? `?colormap=${cm}` : ''}`} alt={`${m.method} heatmap`} />
                    </div>
                  ) : m.files.plot ? (
                    <img class="plot" data-testid="heatmap" src={`/api/jobs/${job!.id}/files/${m.files.plot}`} alt={`${m.method} plot`} />
                  ) : null}
                  <div class="facts">
                    target {m.targetName ?? m.target}, {m.scoreKind} {m.score.toFixed(3)}
                    {m.layer ? `, layer ${m.layer}` : ''}
                    {Object.entries(m.extras)
                      .filter(([k]) => k !== 'score')
                      .map(([k, v]) => `, ${k} ${Number(v.toPrecision(3))}`)
                      .join('')}
                  </div>
                  {m.text && (
                    <p class="words" data-testid="words">
                      {m.text}
                    </p>
                  )}
                  <div class="downloads">
                    {result.files.input && !m.files.plot && (
                      <a href={`/api/jobs/${job!.id}/overlay/${m.index}?opacity=${opacity}${cm ? `&colormap=${cm}` : ''}`} download={`${m.method}-overlay.png`}>
                        PNG
                      </a>
                    )}
                    <a href={`/api/jobs/${job!.id}/files/${m.files.attribution}`} download={`${m.method}-attribution.npy`}>
                      attribution .npy
                    </a>
                    <a href={`/api/jobs/${job!.id}/files/${m.files.heatmap}`} download={`${m.method}-heatmap.npy`}>
                      heatmap .npy
                    </a>
                  </div>
                </figure>
              ))}
            </div>
            {result.agreement && (
              <p class="words" data-testid="agreement">
                {result.agreement}
              </p>
            )}
            <h4>Summary</h4>
            <pre data-testid="summary">{result.summary}</pre>
          </div>
        )}
        {!job && !error && <p class="hint">Pick a model, an input and methods, then Explain. Heatmaps appear here side by side.</p>}
      </main>
    </div>
  );
}
