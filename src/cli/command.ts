import type { ParseArgsConfig } from 'node:util';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface CliContext {
  json: boolean;
  output: CliOutput;
}

export interface CliCommand {
  summary: string;
  /** Lines of option help, shown under the summary. */
  usage: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  /** Core fields whose flag is not their name in kebab case (batchSize is --batch), for error messages. */
  flags?: Readonly<Record<string, string>>;
  /** How many positional arguments it takes, and their names for messages. */
  positionals?: { min: number; max: number; names: string };
  run(args: Record<string, string | boolean | undefined>, context: CliContext, positionals: string[]): Promise<number>;
}
