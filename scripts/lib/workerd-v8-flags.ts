/**
 * V8 flags for the workerd that Miniflare starts. workerd reads them from its config (`v8Flags`, the
 * root Config struct's pointer 2, workerd.capnp), but Miniflare 4 has no option for them: this writes the
 * list into the binary Cap'n Proto config Miniflare pipes to workerd's stdin. Used to hold the user
 * isolate's heap near production's 128 MB: locally workerd sets no isolate limit, and V8 sized for this
 * machine's memory lets garbage pile up to hundreds of MiB before a major GC (docs/reliability.md §9).
 */
import childProcess, { type ChildProcess } from "node:child_process";

/** Pointer slot of `v8Flags` in workerd's `Config` struct (workerd.capnp: `v8Flags @2 :List(Text)`). */
const V8_FLAGS_POINTER = 2;

/**
 * `message` (a serialized Cap'n Proto message whose root is workerd's Config) with `v8Flags` set to
 * `flags`. The list is appended to segment 0: intra-segment pointers are relative, and other segments are
 * addressed by index, so growing the first segment moves nothing another pointer refers to.
 */
export function withV8Flags(message: Uint8Array, flags: readonly string[]): Buffer {
  const src = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const segments = src.readUInt32LE(0) + 1;
  const headerBytes = 4 * (1 + segments) + (segments % 2 === 0 ? 4 : 0);
  const seg0Words = src.readUInt32LE(4);
  const seg0 = headerBytes;
  const root = src.readBigUInt64LE(seg0);
  if ((root & 3n) !== 0n) throw new Error("workerd config: the root pointer is not a struct pointer");
  const rootAt = 1 + Number(BigInt.asIntN(30, (root >> 2n) & 0x3fff_ffffn));
  const dataWords = Number((root >> 32n) & 0xffffn);
  const pointers = Number((root >> 48n) & 0xffffn);
  if (pointers <= V8_FLAGS_POINTER) throw new Error("workerd config: the root struct has no v8Flags pointer");
  const slot = rootAt + dataWords + V8_FLAGS_POINTER;
  if (src.readBigUInt64LE(seg0 + 8 * slot) !== 0n) throw new Error("workerd config: v8Flags is already set");

  const texts = flags.map((f) => Buffer.from(`${f}\0`, "utf8"));
  const addedWords = flags.length + texts.reduce((n, t) => n + Math.ceil(t.length / 8), 0);
  const out = Buffer.alloc(src.length + 8 * addedWords);
  src.copy(out, 0, 0, seg0 + 8 * seg0Words);
  src.copy(out, seg0 + 8 * (seg0Words + addedWords), seg0 + 8 * seg0Words);
  out.writeUInt32LE(seg0Words + addedWords, 4);
  // A list pointer at word `at` to `count` elements of `size` (6: pointers, 2: bytes) starting at word `to`.
  const listPointer = (at: number, to: number, size: bigint, count: number) =>
    out.writeBigUInt64LE(1n | (BigInt.asUintN(30, BigInt(to - at - 1)) << 2n) | (size << 32n) | (BigInt(count) << 35n), seg0 + 8 * at);
  const listAt = seg0Words;
  listPointer(slot, listAt, 6n, flags.length);
  let textAt = listAt + flags.length;
  texts.forEach((t, i) => {
    listPointer(listAt + i, textAt, 2n, t.length);
    t.copy(out, seg0 + 8 * textAt);
    textAt += Math.ceil(t.length / 8);
  });
  return out;
}

/**
 * Makes every workerd this process spawns from now on start with `flags`: Miniflare writes the config
 * to the child's stdin in one write, which is rewritten on its way. Call before `new Miniflare`.
 */
export function injectV8Flags(flags: readonly string[]): void {
  if (flags.length === 0) return;
  const spawn = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions) => {
    const child = spawn(command, args, options) as ChildProcess;
    if (!/workerd/.test(command) || !args.includes("--binary") || !child.stdin) return child;
    const stdin = child.stdin;
    const write = stdin.write.bind(stdin) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stdin.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(chunk instanceof Uint8Array ? withV8Flags(chunk, flags) : chunk, ...rest)) as typeof stdin.write;
    return child;
  }) as typeof childProcess.spawn;
}
