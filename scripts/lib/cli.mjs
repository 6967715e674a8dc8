// The command lines of every CLI here (start, replay, sim, token, bench and the profilers), on
// node:util's parseArgs in strict mode: an unknown flag, a flag missing its value, a stray argument or
// a malformed value prints the usage and exits 2; --help (-h) prints it and exits 0. Plain JavaScript
// so `npm start` can use it before anything is installed (types in cli.d.mts).
import { parseArgs } from "node:util";

/** A bad command line; its message is printed above the usage. */
export class UsageError extends Error {
  name = "UsageError";
}

/**
 * Parses `argv` against `spec.options` (node:util parseArgs options; `help` is added) and, when
 * `spec.positionals` ({ min, max }) is given, that many plain arguments (handed to `check`). Returns
 * `{ kind: "run", values }`, `{ kind: "help", text }` or `{ kind: "error", text }`; never throws.
 */
export function parseCommandLine(argv, spec) {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help", text: spec.usage };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
    delete values.help;
    if (spec.positionals) {
      const { min, max } = spec.positionals;
      if (positionals.length < min || positionals.length > max)
        throw new UsageError(`takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${positionals.length}`);
    }
    return { kind: "run", values: spec.check ? spec.check(values, positionals) : values };
  } catch (err) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes; checks throw UsageError.
    const known = err instanceof UsageError || (err && typeof err.code === "string" && err.code.startsWith("ERR_PARSE_ARGS_"));
    if (!known) throw err;
    return { kind: "error", text: `${spec.name}: ${err.message}\n\n${spec.usage}` };
  }
}

/** parseCommandLine, printing help (exit 0) or the error and usage (exit 2) itself. */
export function commandLineOrExit(argv, spec) {
  const r = parseCommandLine(argv, spec);
  if (r.kind === "help") {
    process.stdout.write(`${r.text}\n`);
    process.exit(0);
  }
  if (r.kind === "error") {
    process.stderr.write(`${r.text}\n`);
    process.exit(2);
  }
  return r.values;
}

/**
 * A numeric flag's value: `dflt` when absent; a UsageError naming the flag when it is not a finite
 * number in [min, max] (or not an integer when `integer`).
 */
export function numberFlag(values, name, dflt, limits = {}) {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  const { min = -Infinity, max = Infinity, integer = false } = limits;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const range = min > -Infinity || max < Infinity ? ` in [${min}, ${max}]` : "";
    throw new UsageError(`--${name} needs ${integer ? "an integer" : "a number"}${range}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A flag restricted to `choices`; `dflt` when absent. */
export function choiceFlag(values, name, choices, dflt) {
  const v = values[name];
  if (v === undefined) return dflt;
  if (!choices.includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  return v;
}
