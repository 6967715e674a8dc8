// Types of cli.mjs (plain JavaScript so that `npm start` runs it before anything is installed).
import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: "boolean" }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

export declare class UsageError extends Error {}

export interface CommandSpec<O extends Options, R = Values<O>> {
  /** The command's name, prefixed to error messages. */
  name: string;
  usage: string;
  options: O;
  /** Plain arguments the command takes (none when absent: a stray argument is an error). */
  positionals?: { min: number; max: number };
  /** Turns the raw values (and plain arguments) into the command's options; throws UsageError for a bad value. */
  check?: (values: Values<O>, positionals: string[]) => R;
}

export type CommandLine<R> = { kind: "run"; values: R } | { kind: "help"; text: string } | { kind: "error"; text: string };

export declare function parseCommandLine<O extends Options, R = Values<O>>(argv: readonly string[], spec: CommandSpec<O, R>): CommandLine<R>;
export declare function commandLineOrExit<O extends Options, R = Values<O>>(argv: readonly string[], spec: CommandSpec<O, R>): R;
export declare function numberFlag(
  values: Record<string, unknown>,
  name: string,
  dflt: number,
  limits?: { min?: number; max?: number; integer?: boolean },
): number;
export declare function choiceFlag<C extends string>(values: Record<string, unknown>, name: string, choices: readonly C[], dflt: C): C;
