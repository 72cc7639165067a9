/** The Glassbox web app: five pages behind a hash router (#/explain, #/sag, #/training, #/compare, #/layers). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ExplainPage } from './pages/explain';
import { SagPage } from './pages/sag';
import { TrainingPage } from './pages/training';
import { ComparePage } from './pages/compare';
import { LayersPage } from './pages/layers';
import './style.css';

const PAGES = [
  { id: 'explain', title: 'Explain', page: ExplainPage },
  { id: 'sag', title: 'SAG', page: SagPage },
  { id: 'training', title: 'Training', page: TrainingPage },
  { id: 'compare', title: 'Compare', page: ComparePage },
  { id: 'layers', title: 'Layers', page: LayersPage },
] as const;

const current = () => location.hash.replace(/^#\/?/, '') || 'explain';

function App() {
  const [route, setRoute] = useState(current());
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const entry = PAGES.find((p) => p.id === route) ?? PAGES[0];
  const Page = entry.page;
  return (
    <>
      <header>
        <span class="brand">Glassbox</span>
        <nav>
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} class={p.id === entry.id ? 'active' : ''} data-testid={`nav-${p.id}`}>
              {p.title}
            </a>
          ))}
        </nav>
      </header>
      <Page key={entry.id} />
    </>
  );
}

render(<App />, document.getElementById('app')!);
