import type { CliOutput } from './command';

/**
 * Progress on standard error: one line rewritten in place on a terminal, a line per tenth otherwise, and
 * nothing with --json (whose standard output stays one JSON document).
 */
export function progressPrinter(output: CliOutput, json: boolean) {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return {
    progress(done: number, total: number, message?: string) {
      if (json) return;
      const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
      if (tty) process.stderr.write(`\r${message ?? ''} (${percent}%)\x1b[K${done === total ? '\n' : ''}`);
      else if (Math.floor(percent / 10) !== lastTenth) {
        lastTenth = Math.floor(percent / 10);
        output.err(`${percent}% ${message ?? ''}`);
      }
    },
    log(message: string) {
      if (!json) output.err(message);
    },
  };
}
