import type { JobInfo } from '../../../shared/jobs';

/**
 * A job's progress as a person reads it: the job's own words and a whole percent while it runs ("Epoch 3
 * of 12, batch 4 of 40 · 18%"), where it stopped once it failed or was cancelled, and no count once done
 * (progress is sent at most so often, so its last count may fall short of the total).
 */
export function progressText(job: Pick<JobInfo, 'state' | 'progress'>): string {
  if (job.state === 'queued') return 'queued';
  if (job.state === 'done') return 'finished';
  if (!job.progress) return job.state === 'running' ? 'starting' : 'stopped before it began';
  const { done, total, message } = job.progress;
  const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
  const where = `${message ?? `${Math.floor(done)} of ${total}`} · ${percent}%`;
  return job.state === 'running' ? where : `stopped at: ${where}`;
}
