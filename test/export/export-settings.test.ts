import { describe, expect, it } from "vitest";
import { loadExportSettings, webhookProblem } from "../../src/export/export-settings.js";

const SECRET = "s".repeat(32);

describe("export settings", () => {
  it("reads the URL, secret and environment, trimmed", () => {
    expect(loadExportSettings({ EVENTS_WEBHOOK_URL: " https://x.example/h ", EVENTS_WEBHOOK_SECRET: "k", AIRSPACE_ENV: "staging", OTHER: 1 })).toEqual({
      url: "https://x.example/h",
      secret: "k",
      environment: "staging",
    });
    expect(loadExportSettings({})).toEqual({ url: "", secret: "", environment: "" });
  });

  it("wants https when deployed, allows an http loopback receiver locally, and a secret", () => {
    const p = (url: string, environment: string, secret = SECRET) => webhookProblem({ url, secret, environment });
    expect(p("https://hooks.example.com/airspace", "production")).toBeNull();
    expect(p("http://127.0.0.1:18200/hook", "local")).toBeNull();
    expect(p("http://localhost:8080/", "local")).toBeNull();
    // Unset is deployed (a bare `wrangler deploy`): no plain http there either.
    expect(p("http://localhost:8080/", "")).toBe("EVENTS_WEBHOOK_URL must be https in environment (unset: deployed)");
    expect(p("http://127.0.0.1:18200/hook", "production")).toBe("EVENTS_WEBHOOK_URL must be https in environment production");
    expect(p("http://hooks.example.com/", "local")).toMatch(/must be https \(or http to a loopback address, locally\)/);
    expect(p("", "local")).toBe("EVENTS_WEBHOOK_URL is not set");
    expect(p("not a url", "local")).toBe("EVENTS_WEBHOOK_URL is not a URL");
    expect(p("https://u:p@hooks.example.com/", "local")).toMatch(/must not carry credentials/);
    expect(p("https://hooks.example.com/", "local", "")).toMatch(/EVENTS_WEBHOOK_SECRET is not set/);
    expect(p("https://hooks.example.com/", "staging", "short")).toBe("EVENTS_WEBHOOK_SECRET is shorter than 32 bytes in environment staging");
    expect(p("https://hooks.example.com/", "local", "short")).toBeNull();
  });
});
