import type { ImportReport, Problem } from '../../shared/annotations';
import type { CliOutput } from '../command';

/** A problem as one line: "error walkway/frame_000012.xml:40: the box has xmax <= xmin …". */
export function problemLine(problem: Problem): string {
  const where = problem.file ? ` ${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}` : '';
  return `${problem.severity}${where}: ${problem.message}`;
}

/** What an import found, for people: counts, then every problem. */
export function printImportReport(report: ImportReport, output: CliOutput): void {
  const labels = Object.entries(report.labels)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  output.out(
    `${report.boxes} boxes (${labels}) in ${report.tracks} tracks over ${report.frames} frames, read as ${report.format}` +
      (report.tracksFormed ? `; ${report.tracksFormed} tracks were formed by linking boxes that had no track id` : ''),
  );
  for (const [from, to] of Object.entries(report.mapped)) output.out(`  label ${from} was mapped to ${to}`);
  for (const [label, count] of Object.entries(report.unknownLabels)) output.out(`  label ${label} (${count} boxes) is not in the project's label set`);
  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  if (report.problems.length)
    output.err(
      `${errors} errors and ${report.problems.length - errors} warnings:\n${report.problems.map((problem) => `  ${problemLine(problem)}`).join('\n')}`,
    );
}
