// One colour per run, the same in every chart, table and matrix: picked from the run's id, so it does not
// change when runs are added, removed or sorted. Okabe-Ito's colour-blind-safe set, then a few more.
const PALETTE = ['#56b4e9', '#e69f00', '#009e73', '#f0e442', '#cc79a7', '#d55e00', '#0072b2', '#999999', '#a6761d', '#66a61e'];

export function runColour(runId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < runId.length; i++) hash = Math.imul(hash ^ runId.charCodeAt(i), 16777619);
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}
