/** The shape every hostile-case builder shares: what it needs to know, and what it returns. */
import type { Expectation } from "./expectations.js";
import type { Draw } from "./draw.js";
import type { BuiltFrame, Form, LaneView } from "./valid-frames.js";

export interface AttackContext {
  nowMs: number;
  lane: LaneView;
  maxFrameBytes: number;
  maxPointsPerFrame: number;
  /** A valid frame of `form` on this lane (not yet applied to its stream state). */
  valid(form: Form): BuiltFrame;
  /** A real zstd encoder, when one is loaded (Node); hand-built frames otherwise. */
  compress?: (bytes: Uint8Array) => Uint8Array;
}

/** One hostile message, what it is (for a reproduction), and what it must end in. */
export interface Attack {
  data: Uint8Array | string;
  detail: string;
  expect: Expectation;
}

export type AttackBuilder = (r: Draw, ctx: AttackContext) => Attack;
