/** Pieces every page uses: errors, job progress, model and input pickers, method option fields. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';
import { ApiError, cancelJob, getJson, runJob, uploadFiles, type InputEntry, type JobView, type JsonSchema, type ModelEntry, type ModelInfo } from './api';

export function ErrorBox({ error, onClose }: { error?: string; onClose?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert" data-testid="error">
      <span>{error}</span>
      {onClose && (
        <button class="link" onClick={onClose} aria-label="dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export const message = (e: unknown) => (e instanceof ApiError || e instanceof Error ? e.message : String(e));

/** Loads JSON once (and again when `deps` change); errors land in `error`. */
export function useJson<T>(url: string | undefined, deps: unknown[] = []): { data?: T; error?: string; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!url) {
      setData(undefined);
      return;
    }
    let live = true;
    setError(undefined);
    getJson<T>(url)
      .then((d) => live && setData(d))
      .catch((e) => live && setError(message(e)));
    return () => {
      live = false;
    };
  }, [url, tick, ...deps]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

/** Runs jobs: the live view, a start function and cancel. */
export function useJob<R>() {
  const [job, setJob] = useState<JobView<R>>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const start = useCallback(async (request: unknown): Promise<JobView<R> | undefined> => {
    setError(undefined);
    setBusy(true);
    setJob(undefined);
    try {
      const final = await runJob<R>(request, setJob);
      if (final.status === 'failed') setError(final.error ?? 'the job failed');
      return final;
    } catch (e) {
      setError(message(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const cancel = useCallback(() => {
    if (job) cancelJob(job.id).catch((e) => setError(message(e)));
  }, [job]);
  return { job, error, busy, start, cancel, setError };
}

export function JobPanel({ job, busy, onCancel }: { job?: JobView; busy: boolean; onCancel: () => void }) {
  if (!job) return null;
  const p = job.progress;
  const fraction = job.status === 'done' ? 1 : p && p.total > 0 ? p.done / p.total : 0;
  return (
    <div class={`job job-${job.status}`} data-testid="job-status">
      <div class="job-line">
        <strong>{job.title}</strong>
        <span data-testid="job-status-text">{job.statusText}</span>
        {busy && (job.status === 'queued' || job.status === 'running') && (
          <button class="secondary" onClick={onCancel} data-testid="cancel">
            Cancel
          </button>
        )}
      </div>
      {(job.status === 'running' || job.status === 'queued') && <progress max={1} value={fraction} />}
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="panel">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

/** Model choice: trained runs, built-in examples, uploads; and an upload button. */
export function ModelPicker({ value, onChange }: { value?: string; onChange: (ref: string) => void }) {
  const { data: models, error, reload } = useJson<ModelEntry[]>('/api/models');
  const [uploadError, setUploadError] = useState<string>();
  const [uploading, setUploading] = useState(false);
  useEffect(() => {
    if (!value && models?.length) onChange((models.find((m) => m.source === 'run') ?? models[0]).ref);
  }, [models]);
  const onFiles = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (!files.length) return;
    setUploadError(undefined);
    setUploading(true);
    try {
      const m = await uploadFiles<ModelEntry>('/api/uploads/model', files, 'model');
      reload();
      onChange(m.ref);
    } catch (err) {
      setUploadError(message(err));
    } finally {
      setUploading(false);
      input.value = '';
    }
  };
  const groups: [string, ModelEntry[]][] = [
    ['Trained runs', models?.filter((m) => m.source === 'run') ?? []],
    ['Built-in examples', models?.filter((m) => m.source === 'example') ?? []],
    ['Uploaded', models?.filter((m) => m.source === 'upload') ?? []],
  ];
  const current = models?.find((m) => m.ref === value);
  return (
    <div class="field">
      <label>
        Model
        <select value={value ?? ''} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)} data-testid="model-select">
          {groups
            .filter(([, list]) => list.length)
            .map(([label, list]) => (
              <optgroup label={label} key={label}>
                {list.map((m) => (
                  <option value={m.ref} key={m.ref}>
                    {m.name}
                    {m.accuracy !== undefined ? ` (test acc. ${(m.accuracy * 100).toFixed(1)}%)` : ''}
                    {m.ready ? '' : ' (trains on first use)'}
                  </option>
                ))}
              </optgroup>
            ))}
        </select>
      </label>
      {current?.description && <small>{current.description}</small>}
      <label class="upload">
        {uploading ? 'Uploading…' : 'Upload a model (.onnx, or model.json + weights)'}
        <input type="file" multiple accept=".onnx,.json,.bin" onChange={onFiles} data-testid="model-upload" />
      </label>
      <ErrorBox error={error ?? uploadError} onClose={() => setUploadError(undefined)} />
    </div>
  );
}

/** Model details (layers, kind); undefined while loading. */
export function useModelInfo(ref?: string) {
  return useJson<ModelInfo>(ref ? `/api/models/info?ref=${encodeURIComponent(ref)}` : undefined);
}

/** Input choice: built-in samples as thumbnails, recent uploads, and an upload button. */
export function InputPicker({ value, onChange }: { value?: string; onChange: (ref: string) => void }) {
  const { data, error, reload } = useJson<{ samples: InputEntry[]; uploads: InputEntry[] }>('/api/inputs');
  const [uploadError, setUploadError] = useState<string>();
  const [uploaded, setUploaded] = useState<InputEntry>();
  useEffect(() => {
    if (!value && data?.samples.length) onChange(data.samples[0].ref);
  }, [data]);
  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setUploadError(undefined);
    try {
      const entry = await uploadFiles<InputEntry>('/api/uploads/input', [file]);
      setUploaded(entry);
      reload();
      onChange(entry.ref);
    } catch (err) {
      setUploadError(message(err));
    } finally {
      input.value = '';
    }
  };
  const items = [...(uploaded ? [uploaded] : []), ...(data?.samples ?? [])];
  return (
    <div class="field">
      <span class="label">Input</span>
      <div class="thumbs" data-testid="inputs">
        {items.map((s) => (
          <button key={s.ref} class={`thumb ${s.ref === value ? 'selected' : ''}`} title={s.name} onClick={() => onChange(s.ref)} data-ref={s.ref}>
            {s.type === 'npy' ? <span class="npy">.npy</span> : <img src={`/api/inputs/preview?ref=${encodeURIComponent(s.ref)}`} alt={s.name} />}
          </button>
        ))}
      </div>
      <label class="upload">
        Upload an image (PNG, JPEG, WebP, GIF) or a .npy array
        <input type="file" accept=".png,.jpg,.jpeg,.webp,.gif,.npy" onChange={onFile} data-testid="input-upload" />
      </label>
      {uploaded && value === uploaded.ref && (
        <small data-testid="uploaded">
          Uploaded {uploaded.name}
          {uploaded.width ? ` (${uploaded.width}×${uploaded.height})` : uploaded.shape ? ` [${uploaded.shape.join(', ')}]` : ''}
        </small>
      )}
      <ErrorBox error={error ?? uploadError} onClose={() => setUploadError(undefined)} />
    </div>
  );
}

/** Fields for a method's options, rendered from its JSON Schema; only changed values are kept. */
export function OptionFields({ schema, values, onChange, layers }: { schema: JsonSchema; values: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void; layers?: string[] }) {
  const props = Object.entries(schema.properties ?? {});
  if (!props.length) return <small>no options</small>;
  const set = (k: string, v: unknown) => {
    const next = { ...values };
    if (v === undefined || v === '') delete next[k];
    else next[k] = v;
    onChange(next);
  };
  return (
    <div class="options">
      {props.map(([key, p]) => {
        const type = p.type ?? p.anyOf?.find((a) => a.type)?.type;
        const title = p.description ?? key;
        const v = values[key];
        if (key === 'layer' && layers?.length) {
          return (
            <label key={key} title={title}>
              {key}
              <select value={(v as string) ?? ''} onChange={(e) => set(key, (e.currentTarget as HTMLSelectElement).value || undefined)}>
                <option value="">(default)</option>
                {layers.map((l) => (
                  <option key={l}>{l}</option>
                ))}
              </select>
            </label>
          );
        }
        if (p.enum) {
          return (
            <label key={key} title={title}>
              {key}
              <select value={v === undefined ? '' : String(v)} onChange={(e) => set(key, (e.currentTarget as HTMLSelectElement).value || undefined)}>
                <option value="">{p.default !== undefined ? `(default: ${String(p.default)})` : '(default)'}</option>
                {p.enum.map((o) => (
                  <option key={String(o)}>{String(o)}</option>
                ))}
              </select>
            </label>
          );
        }
        if (type === 'boolean') {
          return (
            <label key={key} title={title} class="check">
              <input type="checkbox" checked={(v as boolean | undefined) ?? (p.default as boolean | undefined) ?? false} onChange={(e) => set(key, (e.currentTarget as HTMLInputElement).checked)} />
              {key}
            </label>
          );
        }
        if (type === 'number' || type === 'integer') {
          return (
            <label key={key} title={title}>
              {key}
              <input
                type="number"
                step={type === 'integer' ? 1 : 'any'}
                min={p.minimum}
                max={p.maximum !== undefined && p.maximum < 1e15 ? p.maximum : undefined}
                placeholder={p.default !== undefined ? String(p.default) : ''}
                value={v === undefined ? '' : String(v)}
                onInput={(e) => {
                  const t = (e.currentTarget as HTMLInputElement).value;
                  set(key, t === '' ? undefined : Number(t));
                }}
              />
            </label>
          );
        }
        if (type === 'string') {
          return (
            <label key={key} title={title}>
              {key}
              <input type="text" placeholder={p.default !== undefined ? String(p.default) : ''} value={(v as string) ?? ''} onInput={(e) => set(key, (e.currentTarget as HTMLInputElement).value || undefined)} />
            </label>
          );
        }
        return null;
      })}
    </div>
  );
}

/** Inline SVG from our own server (charts, the SAG), with optional zoom and pan. */
export function Svg({ markup, testid }: { markup: string; testid?: string }) {
  return <div class="svg" data-testid={testid} dangerouslySetInnerHTML={{ __html: markup }} />;
}

export function ZoomableSvg({ markup, testid }: { markup: string; testid?: string }) {
  const [view, setView] = useState({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const fit = () => {
    // Start with the whole graph in view (never enlarged).
    const svg = viewport.current?.querySelector('svg');
    const width = svg ? Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width : 0;
    const room = viewport.current?.clientWidth ?? 0;
    setView({ scale: width > 0 && room > 0 ? Math.min(1, room / width) : 1, x: 0, y: 0 });
  };
  useEffect(fit, [markup]);
  const zoom = (factor: number) => setView((v) => ({ ...v, scale: Math.min(8, Math.max(0.2, v.scale * factor)) }));
  return (
    <div class="zoomable">
      <div class="zoom-buttons">
        <button class="secondary" onClick={() => zoom(1.25)} data-testid="zoom-in" aria-label="zoom in">
          +
        </button>
        <button class="secondary" onClick={() => zoom(0.8)} aria-label="zoom out">
          −
        </button>
        <button class="secondary" onClick={fit}>
          Fit
        </button>
        <small>wheel to zoom, drag to move</small>
      </div>
      <div
        class="zoom-viewport"
        ref={viewport}
        onWheel={(e) => {
          e.preventDefault();
          zoom(e.deltaY < 0 ? 1.1 : 0.9);
        }}
        onPointerDown={(e) => {
          drag.current = { x: e.clientX - view.x, y: e.clientY - view.y };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (d) setView((v) => ({ ...v, x: e.clientX - d.x, y: e.clientY - d.y }));
        }}
        onPointerUp={() => (drag.current = null)}
        onPointerLeave={() => (drag.current = null)}
      >
        <div class="zoom-content" data-testid={testid} data-scale={view.scale.toFixed(4)} style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }} dangerouslySetInnerHTML={{ __html: markup }} />
      </div>
    </div>
  );
}
