import { EventEmitter } from 'node:events';
import type { Job } from '../domain/job.js';

interface JobEventMap {
  /** A job was created or changed state. Listeners must not throw; they run after the write. */
  changed: [job: Job];
}

/** Lets side rooms (the audit channel) follow jobs without the main path knowing them. */
export class JobEvents extends EventEmitter<JobEventMap> {}
