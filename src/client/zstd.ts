/**
 * Lazy zstd encoder for clients. Node's built-in zstd needs 22.15+ and fzstd only decompresses, so we
 * use @bokuweb/zstd-wasm (pure WASM, no install script) and load it only when compression is asked for.
 */

/** zstd frame magic number, little-endian 0xFD2FB528 (RFC 8878 §3.1.1). */
export const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
}

export type ZstdEncoder = (bytes: Uint8Array) => Uint8Array;

let loading: Promise<(bytes: Uint8Array, level: number) => Uint8Array> | null = null;

/**
 * Resolves to a synchronous encoder at `level` (default 3, zstd's own default). The WASM module is
 * initialised once per process/page; a failed load is not cached, so a later call can retry.
 */
export async function loadZstdEncoder(level = 3): Promise<ZstdEncoder> {
  loading ??= (async () => {
    const mod = await import("@bokuweb/zstd-wasm");
    await mod.init();
    return (bytes: Uint8Array, lvl: number) => mod.compress(bytes, lvl);
  })();
  try {
    const compress = await loading;
    return function zstdEncode(bytes: Uint8Array): Uint8Array {
      return compress(bytes, level);
    };
  } catch (err) {
    loading = null;
    throw err;
  }
}
