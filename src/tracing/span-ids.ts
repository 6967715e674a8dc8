/** Random W3C ids (lower-case hex, never all zero: trace-context §3.2.2.3 and §3.2.2.4). */

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

function nonZero(bytes: number): string {
  for (;;) {
    const id = randomHex(bytes);
    if (!/^0+$/.test(id)) return id;
  }
}

export function randomTraceId(): string {
  return nonZero(16);
}

export function randomSpanId(): string {
  return nonZero(8);
}
