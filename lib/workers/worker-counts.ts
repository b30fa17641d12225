/**
 * The coordinator's counts of the work it handed to workers, the `workers` section of the run's
 * summary: tasks sent, tasks sent again after Redis restarted, and results dropped as duplicates.
 * @module
 */
export class WorkerCounts {
  readonly queue: string;
  tasks = 0;
  resent = 0;
  duplicates = 0;

  constructor(queue: string) {
    this.queue = queue;
  }

  snapshot(): { queue: string; tasks: number; resent: number; duplicates: number } {
    return { queue: this.queue, tasks: this.tasks, resent: this.resent, duplicates: this.duplicates };
  }
}
