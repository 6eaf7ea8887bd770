// `maskbench`: the same core as the app, for scripts and headless lab machines. Every subcommand takes
// --json; failures print a clear message (or a JSON error) and exit non-zero.

import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import { WorkbenchError, toErrorData } from '../shared/errors';
import { datasetCommand } from './commands/dataset';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { newCommand } from './commands/new';
import { sampleCommand } from './commands/sample';
import { validateCommand } from './commands/validate';
import { serveCommand } from './commands/serve';
import { trainCommand } from './commands/train';
import { sweepCommand } from './commands/sweep';
import { runsCommand } from './commands/runs';
import { predictCommand } from './commands/predict';
import { detectCommand } from './commands/detect';
import { reviewCommand } from './commands/review';
import { CANCELLED_EXIT } from './cancel';
import type { CliCommand, CliOutput } from './command';
import { describeForCli, wordForCli } from './flags';

const COMMANDS: Record<string, CliCommand> = {
  serve: serveCommand,
  sample: sampleCommand,
  new: newCommand,
  import: importCommand,
  export: exportCommand,
  validate: validateCommand,
  dataset: datasetCommand,
  train: trainCommand,
  sweep: sweepCommand,
  runs: runsCommand,
  predict: predictCommand,
  review: reviewCommand,
  detect: detectCommand,
};

const USAGE = `Usage: maskbench <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)}${command.summary}\n${command.usage.map((line) => `      ${line}`).join('\n')}`)
  .join('\n')}

Options for every command:
  --json      machine-readable output
  --help      this text
  --version   print Maskbench's version`;

/** Runs the CLI and resolves to its exit code; `serve` resolves only when the server stops. */
export async function runCli(argv: string[], output: CliOutput = consoleOutput): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (name === '--version' || name === '-v') {
      output.out(json ? JSON.stringify({ version }) : version);
      return 0;
    }
    if (name === undefined || name === '--help' || name === 'help') {
      output.out(USAGE);
      return name === undefined ? 2 : 0;
    }
    if (!command) throw usageError(`unknown command "${name}"`);
    if (rest.includes('--help')) {
      output.out(USAGE);
      return 0;
    }
    const { values, positionals } = parseCommandArgs(name, command, rest);
    return await command.run(values, { json, output }, positionals);
  } catch (error) {
    const data = toErrorData(error);
    if (json) output.out(JSON.stringify({ error: wordForCli(data, command) }));
    else output.err(`maskbench: ${describeForCli(data, command)}`);
    return data.code === 'invalid-request' ? 2 : data.code === 'cancelled' ? CANCELLED_EXIT : 1;
  }
}

function parseCommandArgs(name: string, command: CliCommand, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: withNegativeValues(argv, command),
      options: { ...command.options, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw usageError(`${name}: ${(error as Error).message}`);
  }
  const { min, max, names } = command.positionals ?? { min: 0, max: 0, names: '' };
  const count = parsed.positionals.length;
  if (count < min) throw usageError(`${name}: missing ${names}`);
  if (count > max) throw usageError(`${name}: unexpected argument "${parsed.positionals[max]}"`);
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs takes a value that starts with a dash for an option and refuses
 * it as ambiguous, so a negative number would not reach the range check that says what the flag takes.
 */
function withNegativeValues(argv: string[], command: CliCommand): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const next = argv[index + 1];
    const takesValue = arg.startsWith('--') && command.options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && /^-\d/.test(next)) joined.push(`${arg}=${argv[++index]}`);
    else joined.push(arg);
  }
  return joined;
}

function usageError(message: string): WorkbenchError {
  return new WorkbenchError('invalid-request', `${message}. Run \`maskbench --help\` for usage.`);
}

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};
