/** What every job runner and route shares: the data folder, the models and the queue. */
import type { JobQueue } from '../jobs.js';
import type { ModelStore } from '../models.js';
import type { Storage } from '../storage.js';

export interface ServerContext {
  storage: Storage;
  models: ModelStore;
  queue: JobQueue;
}
