/** Learning rate per epoch from the config's schedule (constant, step, cosine, exponential). */
import type { ScheduleConfig } from './config.js';

/**
 * Rate for 0-based `epoch` of `epochs`. Warm-up rises linearly from base/10 over `warmupEpochs`;
 * the schedule then runs over the remaining epochs as if they started at 0.
 */
export function learningRateAt(schedule: ScheduleConfig, base: number, epoch: number, epochs: number): number {
  const warm = schedule.warmupEpochs;
  if (epoch < warm) return base / 10 + ((base - base / 10) * epoch) / warm;
  const e = epoch - warm;
  const span = Math.max(1, epochs - warm);
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(e / schedule.stepSize);
    case 'exponential':
      return base * schedule.gamma ** e;
    case 'cosine': {
      const t = span > 1 ? Math.min(1, e / (span - 1)) : 0;
      return schedule.minLearningRate + (base - schedule.minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
  }
}
