// The region's fault injection, on a real object's storage: a failure window that checkpoints see
// (and that outlives the object's memory), and nothing at all when it is not enabled.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CheckpointFault, FaultInjection } from "../../src/region/fault-injection.js";

const stub = (name: string) => env.REGION.get(env.REGION.idFromName(name));

describe("region fault injection", () => {
  it("fails checkpoints inside the window it is given, and only there", async () => {
    await runInDurableObject(stub("faults-on"), async (_o, state) => {
      const f = new FaultInjection(state, true);
      const now = 1_000_000;
      expect(f.fetch(new URL("https://region/ops/stats?region=u33d"), now)).toBeNull();
      for (const bad of ["?ms=nope", "?ms=", "", "?ms=-1", "?ms=600000"])
        expect((f.fetch(new URL(`https://region/chaos/fail-checkpoints${bad}`), now) as Response).status, bad).toBe(400);
      const r = f.fetch(new URL("https://region/chaos/fail-checkpoints?ms=500"), now) as Response;
      expect(await r.json()).toEqual({ failCheckpointsUntil: now + 500 });
      expect(() => f.checkpointing(now + 499)).toThrow(CheckpointFault);
      expect(() => f.checkpointing(now + 500)).not.toThrow();
      // Kept in storage: a new instance (after the restart the failure causes) sees the same window.
      expect(() => new FaultInjection(state, true).checkpointing(now + 100)).toThrow(CheckpointFault);
      expect((f.fetch(new URL("https://region/chaos/unknown"), now) as Response).status).toBe(404);
    });
  });

  it("answers nothing but 404 and fails nothing when not enabled", async () => {
    await runInDurableObject(stub("faults-off"), async (_o, state) => {
      state.storage.kv.put("chaos.failCheckpointsUntil", Number.MAX_SAFE_INTEGER);
      const f = new FaultInjection(state, false);
      for (const path of ["restart", "fail-checkpoints?ms=100"]) expect((f.fetch(new URL(`https://region/chaos/${path}`), 0) as Response).status).toBe(404);
      expect(() => f.checkpointing(0)).not.toThrow();
    });
  });
});
