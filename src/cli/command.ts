// The shape of one CLI command. Each command family lives in src/cli/commands/<family>.ts and exports
// `commands: CliCommand[]`; main.ts only dispatches.
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CliCommand {
  /** Words after `asapp-exports`, e.g. 'credentials decrypt'. */
  name: string;
  summary: string;
  /** One usage line without the program name, e.g. 'keygen --name N --email E [--rsa] [--out DIR]'. */
  usage: string;
  /** Extra help lines shown by `asapp-exports help <command>`. */
  details?: string[];
  options?: OptionSpec;
  run(ctx: CliContext, args: { values: OptionValues; positionals: string[] }): Promise<number | void>;
}
