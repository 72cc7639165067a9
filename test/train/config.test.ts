import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDocTable, loadConfigFile, parseConfig } from '../../src/train/config.js';
import { getDataset } from '../../src/train/data/datasets.js';

const base = { name: 'x', dataset: { name: 'mnist' }, model: { architecture: 'mlp' } };

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (e) {
    expect((e as Error).name).toBe('GlassboxError');
    return (e as Error).message;
  }
  throw new Error('config was accepted');
}

describe('training config', () => {
  it('fills every default', () => {
    const c = parseConfig(base);
    expect(c.seed).toBe(42);
    expect(c.training.epochs).toBe(10);
    expect(c.training.optimizer).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(c.training.schedule).toEqual({ type: 'constant', warmupEpochs: 0 });
    expect(c.model).toMatchObject({ architecture: 'mlp', hidden: [100, 100], activation: 'relu' });
    expect(c.augmentation).toBeNull();
    expect(c.kfold).toBeNull();
  });

  it('accepts string shorthands and fills the branch defaults', () => {
    const c = parseConfig({ ...base, training: { optimizer: 'adamw', schedule: 'cosine' } });
    expect(c.training.optimizer).toMatchObject({ type: 'adamw', weightDecay: 0.01 });
    expect(c.training.schedule).toMatchObject({ type: 'cosine', minLearningRate: 0 });
  });

  it('names a wrongly typed field with what was expected and what it got', () => {
    expect(errorOf({ ...base, training: { epochs: 'ten' } })).toBe('config.training.epochs: expected a positive integer, got "ten"');
    expect(errorOf({ ...base, training: { batchSize: 0 } })).toBe('config.training.batchSize: expected a positive integer, got 0');
    expect(errorOf({ ...base, training: { optimizer: { type: 'sgd', momentum: 1.5 } } })).toBe(
      'config.training.optimizer.momentum: expected a number in [0, 1), got 1.5',
    );
  });

  it('reports bad enum values, missing fields and unknown fields by name', () => {
    expect(errorOf({ ...base, model: { architecture: 'resnet' } })).toMatch(
      /^config\.model\.architecture: expected one of "cnn", "cnn1d", "mlp", "lstm", "gru", "vit", got "resnet"$/,
    );
    expect(errorOf({ ...base, training: { optimizer: 'adamx' } })).toMatch(/^config\.training\.optimizer: expected one of "sgd", "adam", "adamw", got "adamx"$/);
    expect(errorOf({ dataset: { name: 'mnist' }, model: { architecture: 'mlp' } })).toBe('config.name: missing, expected a non-empty string');
    const typo = errorOf({ ...base, training: { epoch: 3 } });
    expect(typo).toMatch(/^config\.training\.epoch: unknown field/);
    expect(typo).toContain('did you mean "epochs"?');
  });

  it('checks fields inside the selected architecture and conv blocks', () => {
    const msg = errorOf({ ...base, model: { architecture: 'cnn', convBlocks: [{ filters: 8 }, { filters: -1, pool: 'min' }] } });
    expect(msg).toContain('config.model.convBlocks.1.filters: expected a positive integer, got -1');
    expect(msg).toContain('config.model.convBlocks.1.pool: expected one of "none", "max", "avg", got "min"');
    expect(errorOf({ ...base, model: { architecture: 'vit', patchsize: 4 } })).toMatch(/config\.model\.patchsize: unknown field.*did you mean "patchSize"/);
  });

  it('validates class weights and augmentation ranges', () => {
    expect(errorOf({ ...base, training: { classWeights: [1, -2] } })).toBe('config.training.classWeights.1: expected a positive number, got -2');
    expect(errorOf({ ...base, training: { classWeights: 'balanced' } })).toMatch(/^config\.training\.classWeights: expected "none", "auto" or a list/);
    expect(errorOf({ ...base, augmentation: { rotationRange: 270 } })).toBe('config.augmentation.rotationRange: expected degrees in [0, 180], got 270');
  });

  it('loads YAML and JSON files and prefixes errors with the file name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-config-'));
    const yml = path.join(dir, 'c.yaml');
    fs.writeFileSync(yml, 'name: y\ndataset: { name: mnist1d }\nmodel:\n  architecture: gru\n  units: 6\ntraining:\n  epochs: 3\n');
    expect(loadConfigFile(yml)).toMatchObject({ name: 'y', model: { architecture: 'gru', units: 6 }, training: { epochs: 3 } });
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...base, seed: -1 }));
    expect(() => loadConfigFile(bad)).toThrow(`${bad}: config.seed: expected a non-negative integer, got -1`);
    fs.writeFileSync(bad, '{ "name": ');
    expect(() => loadConfigFile(bad)).toThrow(/is not valid JSON/);
  });

  it('every example config in configs/ is valid', () => {
    const dir = path.join(__dirname, '../../configs');
    const files = fs.readdirSync(dir).filter((f) => /\.(json|ya?ml)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const c = loadConfigFile(path.join(dir, f));
      expect(c.name).toBe(f.replace(/\.(json|ya?ml)$/, ''));
      // The loader's own schema accepts the data set options (they are otherwise checked only at load time).
      const parsed = getDataset(c.dataset.name).options.safeParse(c.dataset.options);
      expect(parsed.success, `${f}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('docs/training.md holds the generated field table', () => {
    const table = configDocTable();
    expect(table).toContain('| `config.training.epochs` | `10` |');
    expect(table).toContain('| `config.name` | **required** |');
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/training.md'), 'utf8');
    expect(doc).toContain(table);
  });
});
