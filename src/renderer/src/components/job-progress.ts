import type { JobInfo } from '../../../shared/jobs';

/**
 * A job's progress as a person reads it: the job's own words and a whole percent while it runs ("Epoch 3
 * of 12, batch 4 of 40 · 18%", and the time left when known), where it stopped once it failed or was
 * cancelled, and no count once done (progress is sent at most so often, so its last count may fall short
 * of the total).
 */
export function progressText(job: Pick<JobInfo, 'state' | 'progress'>, secondsLeft: number | null = null): string {
  if (job.state === 'queued') return 'queued';
  if (job.state === 'done') return 'finished';
  if (!job.progress) return job.state === 'running' ? 'starting' : 'stopped before it began';
  const { done, total, message } = job.progress;
  const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
  const where = `${message ?? `${Math.floor(done)} of ${total}`} · ${percent}%`;
  if (job.state !== 'running') return `stopped at: ${where}`;
  return secondsLeft === null ? where : `${where} · ${timeLeft(secondsLeft)}`;
}

/** Rounded as a person would say it: "about 40 s left", "about 12 min left", "about 2.5 h left". */
export function timeLeft(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(10, Math.round(seconds / 10) * 10)} s left`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${(seconds / 3600).toFixed(1)} h left`;
}
