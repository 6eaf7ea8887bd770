// One colour per run, the same in every chart, table and matrix: picked from the run's id, so it does not
// change when runs are added, removed or sorted.
import { RUN_PALETTE } from '../../theme';

export function runColour(runId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < runId.length; i++) hash = Math.imul(hash ^ runId.charCodeAt(i), 16777619);
  return RUN_PALETTE[(hash >>> 0) % RUN_PALETTE.length]!;
}
