/**
 * The deterministic fleet simulator: a pure core (no sockets, no wall clock) used by scripts/sim.ts,
 * the benchmark and tests. Same options and seed → same points, however time is stepped.
 */
export { FleetSim, type FleetOptions, type SimPoint, type StepResult, type TruthConflict } from "./fleet.js";
export { FlightPlan, drainRate, type FlightState, type Leg, type Phase } from "./flight-plan.js";
export { DEFAULT_MISSION, type MissionParams, type PlannedConflict } from "./missions.js";
export { Rng } from "./prng.js";
