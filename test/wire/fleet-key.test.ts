import { describe, expect, it } from "vitest";
import { fleetKey, fleetSees, isFleetName, localDroneId, splitFleetKey } from "../../src/wire/fleet-key.js";

describe("fleet keys", () => {
  it("namespace a drone id by its fleet and split back at the first slash", () => {
    expect(fleetKey("acme", "d-1")).toBe("acme/d-1");
    expect(splitFleetKey("acme/d/1")).toEqual({ fleet: "acme", droneId: "d/1" });
    expect(splitFleetKey("plain")).toEqual({ fleet: "", droneId: "plain" });
    expect(localDroneId("acme/d/1")).toBe("d/1");
  });

  it("name fleets without slashes, and let an operator see its fleet only ('*' all)", () => {
    expect(isFleetName("acme.eu-1_x")).toBe(true);
    for (const bad of ["", "a/b", "*", "x".repeat(33), "ä"]) expect(isFleetName(bad), bad).toBe(false);
    expect(fleetSees("acme", "acme/d")).toBe(true);
    expect(fleetSees("acme", "acme2/d")).toBe(false);
    expect(fleetSees("acme", "acme")).toBe(false);
    expect(fleetSees("*", "anyone/d")).toBe(true);
  });
});
