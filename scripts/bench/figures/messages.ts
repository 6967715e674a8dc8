/** Scenario 3's figures: messages into region objects per 1,000 points, batching + dedupe on against off. */
import type { Collected, Profile } from "../../bench.js";
import { check } from "../stats.js";
import { type FigureRow, med, medianRatio } from "./row.js";

type Run = Collected["messages"]["on"][number];

export function messagesFigures(c: Collected, p: Profile): FigureRow[] {
  const { on, off } = c.messages;
  if (on.length === 0 || off.length === 0) return [];
  // One count of the "on" runs against the same of the "off" runs; a run with no "off" counterpart is its own baseline.
  const paired = (key: string, figure: string, baselineLabel: string, f: (m: Run) => number) => ({
    key: `messages.${key}`,
    figure,
    value: med(on, f),
    unit: "",
    baseline: med(off, f),
    baselineLabel,
    ratio: medianRatio(on, off, f, (m) => m),
  });
  const relay = paired(
    "relay500",
    `messages into regions per 1,000 accepted points: relay, ${p.messages.drones} drones at 10 Hz`,
    "batching+dedupe off",
    (m) => m.relay.perThousandAccepted,
  );
  // Per 1,000 points sent, since dedupe changes what is accepted: the cut in messages for the same load.
  const hover = paired("hoverCut", "hovering half: messages per 1,000 points sent (ratio = on ÷ off)", "off", (m) => m.hover.hover.perThousandSent);
  return [
    { ...relay, target: "≤ 25", met: check(relay.value, "<=", 25) },
    {
      ...paired(
        "sockets500",
        `messages per 1,000 accepted points: ${p.messages.drones} sockets at 10 Hz, half hovering`,
        "off",
        (m) => m.hover.all.perThousandAccepted,
      ),
      target: "",
      met: null,
    },
    {
      ...paired("sockets500PerSent", `messages per 1,000 points sent: ${p.messages.drones} sockets, half hovering`, "off", (m) => m.hover.all.perThousandSent),
      target: "",
      met: null,
    },
    { ...hover, target: "cut ≥ 85 % (ratio ≤ 0.15)", met: check(hover.ratio, "<=", 0.15) },
  ];
}
