// A tiny `--flag value` / `--switch` parser shared by the CLIs, with an error that names the flag.
export function parseArgs(argv: string[], switches: readonly string[] = []): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (switches.includes(a.slice(2)) || i + 1 >= argv.length || argv[i + 1]!.startsWith("--")) out.set(a.slice(2), true);
    else out.set(a.slice(2), argv[++i]!);
  }
  return out;
}

export function numberArg(args: Map<string, string | true>, name: string, dflt: number): number {
  const v = args.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${String(v)}`);
  return n;
}
