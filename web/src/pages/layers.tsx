/** Layers: feature maps of a chosen layer for an input, and filter visualisations. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, InputPicker, JobPanel, ModelPicker, Section, useJob, useModelInfo } from '../components';

interface LayersResult {
  mode: 'feature-maps' | 'filters';
  layer: string;
  channels: number | number[];
  shown?: number;
  files: { picture: string; sum?: string };
}

export function LayersPage() {
  const [model, setModel] = useState<string>();
  const [input, setInput] = useState<string>();
  const [layer, setLayer] = useState<string>();
  const [mode, setMode] = useState<'feature-maps' | 'filters'>('feature-maps');
  const [maxChannels, setMaxChannels] = useState('16');
  const [steps, setSteps] = useState('64');
  const info = useModelInfo(model);
  const { job, error, busy, start, cancel, setError } = useJob<LayersResult>();
  const layers = info.data?.layers ?? [];
  useEffect(() => {
    const spatial = layers.filter((l) => l.spatial);
    if (spatial.length && !spatial.some((l) => l.name === layer)) setLayer(spatial[0].name);
  }, [info.data]);

  const run = () => {
    if (!model) return setError('pick a model first');
    if (!layer) return setError('pick a layer');
    if (mode === 'feature-maps' && !input) return setError('feature maps need an input');
    void start({ type: 'layers', model, mode, layer, input: mode === 'feature-maps' ? input : undefined, maxChannels: Number(maxChannels) || 16, steps: Number(steps) || 64 });
  };
  const result = job?.status === 'done' ? job.result : undefined;

  return (
    <div class="page layers">
      <aside>
        <Section title="Model">
          <ModelPicker value={model} onChange={setModel} />
          <ErrorBox error={info.error} />
          {info.data?.note && <small>{info.data.note}</small>}
        </Section>
        <Section title="Layer">
          <select value={layer ?? ''} onChange={(e) => setLayer((e.currentTarget as HTMLSelectElement).value)} data-testid="layer-select" size={Math.min(8, Math.max(2, layers.length))}>
            {layers.map((l) => (
              <option key={l.name} value={l.name} disabled={!l.spatial}>
                {l.name} · {l.type} [{l.outputShape.join('×')}]
              </option>
            ))}
          </select>
          <div class="row">
            <label class="check">
              <input type="radio" name="mode" checked={mode === 'feature-maps'} onChange={() => setMode('feature-maps')} /> feature maps
            </label>
            <label class="check">
              <input type="radio" name="mode" checked={mode === 'filters'} onChange={() => setMode('filters')} data-testid="mode-filters" /> filter visualisation
            </label>
          </div>
          <div class="row">
            <label>
              Channels shown
              <input type="number" min={1} max={64} value={maxChannels} onInput={(e) => setMaxChannels((e.currentTarget as HTMLInputElement).value)} />
            </label>
            {mode === 'filters' && (
              <label>
                Ascent steps
                <input type="number" min={0} max={512} value={steps} onInput={(e) => setSteps((e.currentTarget as HTMLInputElement).value)} />
              </label>
            )}
          </div>
        </Section>
        {mode === 'feature-maps' && (
          <Section title="Input">
            <InputPicker value={input} onChange={setInput} />
          </Section>
        )}
        <button onClick={run} disabled={busy} data-testid="run-layers">
          {busy ? 'Working…' : mode === 'feature-maps' ? 'Show feature maps' : 'Visualise filters'}
        </button>
      </aside>
      <main>
        <JobPanel job={job} busy={busy} onCancel={cancel} />
        <ErrorBox error={error} onClose={() => setError(undefined)} />
        {result && job && (
          <div data-testid="layers-result">
            <h3>
              {result.mode === 'feature-maps' ? 'Feature maps' : 'Filters'} of {result.layer}
              {result.mode === 'feature-maps' ? ` (${result.shown} of ${result.channels as number} channels, each scaled to its own range)` : ` (channels ${(result.channels as number[]).join(', ')})`}
            </h3>
            <div class="cards">
              <figure class="card wide">
                <img class="pixelated" data-testid="layer-picture" src={`/api/jobs/${job.id}/files/${result.files.picture}`} alt={`${result.mode} of ${result.layer}`} />
              </figure>
              {result.files.sum && (
                <figure class="card">
                  <figcaption>sum over channels</figcaption>
                  <img class="pixelated" src={`/api/jobs/${job.id}/files/${result.files.sum}`} alt="channel sum" />
                </figure>
              )}
            </div>
          </div>
        )}
      </main>
    </div>
  );
}
