/**
 * A minimal Chrome DevTools Protocol client (over `ws`) and inspector discovery for a local workerd.
 * Used by scripts/profile/edge-profile.ts to drive the V8 sampling profiler of workerd isolates.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import WebSocket from "ws";

export interface CdpTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

/** GET http://127.0.0.1:<port>/json: the inspector's targets; [] when the port is not an inspector. */
export async function listTargets(port: number, timeoutMs = 2000): Promise<CdpTarget[]> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(timeoutMs), headers: { Connection: "close" } });
    if (!r.ok) return [];
    const j = (await r.json()) as unknown;
    if (!Array.isArray(j)) return [];
    return j.filter((t): t is CdpTarget => typeof t === "object" && t !== null && typeof (t as CdpTarget).webSocketDebuggerUrl === "string");
  } catch {
    return [];
  }
}

/** TCP ports `pid` listens on (IPv4/IPv6), from /proc/<pid>/fd socket inodes and /proc/<pid>/net/tcp{,6}. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st ... inode (field 9)
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9]!)) continue;
      ports.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return [...new Set(ports)];
}

/** One CDP session: `send` resolves with the result or rejects with the protocol error / a timeout. */
export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Called with each protocol event (a message without an id), e.g. HeapProfiler.addHeapSnapshotChunk. */
  onEvent: ((method: string, params: unknown) => void) | null = null;

  private constructor(
    private readonly ws: WebSocket,
    readonly label: string,
  ) {
    ws.on("message", (data) => {
      let msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (msg.id === undefined) {
        if (msg.method) this.onEvent?.(msg.method, msg.params);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new Error(`${label}: ${msg.error.message}`));
      else p.resolve(msg.result);
    });
    ws.on("close", () => {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${label}: inspector socket closed`));
      }
      this.pending.clear();
    });
  }

  static connect(url: string, label: string, timeoutMs = 5000): Promise<CdpSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 1 << 30, handshakeTimeout: timeoutMs });
      ws.once("open", () => resolve(new CdpSession(ws, label)));
      ws.once("error", (e) => reject(new Error(`${label}: ${String(e)}`)));
    });
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
