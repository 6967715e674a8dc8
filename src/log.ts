/**
 * The one structured logger: a JSON line per event, `msg` first, so Workers Logs (observability) can
 * filter and count by it. Problems go to stderr (`level: "error"`), facts to stdout.
 */
export function log(msg: string, fields: Record<string, unknown> = {}, level: "info" | "error" = "info"): void {
  const line = JSON.stringify({ msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}
