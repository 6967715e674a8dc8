// `npm run metrics`: its queries (and docs/metrics.md holding the same SQL), its table, and a run
// against a stub of the Analytics Engine SQL API on loopback, never the internet. METRICS_STUB_PORT
// (optional) fixes the stub's port.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../scripts/lib/cli.mjs";
import { bucketFor, metricsQueries, parseWindow, QUERY_TEMPLATES } from "../../scripts/lib/metrics-queries.js";
import { formatTable } from "../../scripts/lib/text-table.js";
import { METRICS_CLI, type MetricsArgs, runMetrics } from "../../scripts/metrics.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  sql: string;
}

/** The SQL API's stand-in: answers `reply(sql)` and records each request. */
class StubApi {
  readonly seen: Seen[] = [];
  reply: (sql: string) => { status: number; body: string } = () => ({ status: 200, body: "{}" });
  private server: Server | null = null;
  base = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let sql = "";
      req.on("data", (c: Buffer) => (sql += c.toString("utf8")));
      req.on("end", () => {
        this.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, sql });
        const r = this.reply(sql);
        res.writeHead(r.status, { "Content-Type": "application/json" });
        res.end(r.body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(Number(process.env.METRICS_STUB_PORT ?? 0), "127.0.0.1", r));
    const a = this.server.address();
    this.base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/client/v4`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** A realistic answer (FORMAT JSON) per query, by what it selects. */
function answer(sql: string): { status: number; body: string } {
  if (sql.includes("active_drones"))
    return {
      status: 200,
      body: JSON.stringify({
        meta: [
          { name: "t", type: "DateTime" },
          { name: "active_drones", type: "Float64" },
          { name: "alerts_started", type: "Float64" },
          { name: "alerts_cleared", type: "Float64" },
          { name: "max_warning_conflicts", type: "Float64" },
          { name: "worst_p99_delay_ms", type: "Float64" },
        ],
        data: [
          { t: "2026-12-01 05:00:00", active_drones: 41.5, alerts_started: 3, alerts_cleared: 2, max_warning_conflicts: 1, worst_p99_delay_ms: 12.25 },
          { t: "2026-12-01 05:01:00", active_drones: 40, alerts_started: 0, alerts_cleared: 1, max_warning_conflicts: 0, worst_p99_delay_ms: 9 },
        ],
        rows: 2,
        rows_before_limit_at_least: 2,
      }),
    };
  if (sql.includes("cell"))
    return { status: 200, body: JSON.stringify({ meta: [{ name: "cell" }, { name: "drones" }], data: [{ cell: "51.50012,-0.10003", drones: 7 }], rows: 1 }) };
  return { status: 200, body: JSON.stringify({ meta: [{ name: "max_low_battery_drones" }, { name: "min_battery_pct" }], data: [], rows: 0 }) };
}

const ENV = { CLOUDFLARE_ACCOUNT_ID: "acc123", CLOUDFLARE_API_TOKEN: "tok-xyz" };

function args(argv: string[]): MetricsArgs {
  const r = parseCommandLine(argv, METRICS_CLI);
  if (r.kind !== "run") throw new Error(r.kind === "error" ? r.text : "help");
  return r.values;
}

async function capture(a: MetricsArgs, env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMetrics(
    a,
    env,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("metrics queries", () => {
  it("reads windows, picks a bucket for them, and refuses anything else", () => {
    expect(parseWindow("15m")).toEqual({ text: "15m", interval: "'15' MINUTE", seconds: 900 });
    expect(parseWindow("90s")?.interval).toBe("'90' SECOND");
    expect(parseWindow("7d")?.seconds).toBe(7 * 86_400);
    for (const bad of ["", "15", "m", "0m", "1w", "-5m", "1.5h", "93d", "15m; DROP"]) expect(parseWindow(bad), bad).toBeNull();
    expect([900, 3600, 3601, 6 * 3600, 86_400, 3 * 86_400].map(bucketFor)).toEqual([
      "'1' MINUTE",
      "'1' MINUTE",
      "'10' MINUTE",
      "'10' MINUTE",
      "'1' HOUR",
      "'1' DAY",
    ]);
  });

  it("puts the region, window and bucket into every query, and never a string that is not a key", () => {
    const qs = metricsQueries("airspace_fleet_metrics", "gcpv", parseWindow("2h")!);
    expect(qs.map((q) => q.title)).toEqual(QUERY_TEMPLATES.map((q) => q.title));
    for (const q of qs) {
      expect(q.sql).toContain("FROM airspace_fleet_metrics");
      expect(q.sql).toContain("index1 = 'gcpv'");
      expect(q.sql).toContain("timestamp > NOW() - INTERVAL '2' HOUR");
      expect(q.sql).toMatch(/ FORMAT JSON$/);
      expect(q.sql).not.toMatch(/\{\w+\}/);
    }
    expect(qs[0]!.sql).toContain("toStartOfInterval(timestamp, INTERVAL '10' MINUTE)");
    expect(() => metricsQueries("airspace_fleet_metrics", "gcpv' OR 1=1 --", parseWindow("2h")!)).toThrow(/not a region key/);
    expect(() => metricsQueries("x; DROP", "gcpv", parseWindow("2h")!)).toThrow(/not a dataset name/);
  });

  it("are the ones docs/metrics.md documents", () => {
    const doc = readFileSync(join(ROOT, "docs/metrics.md"), "utf8");
    for (const q of QUERY_TEMPLATES) expect(doc, q.title).toContain(`${q.title}:\n\n\`\`\`sql\n${q.sql}\n\`\`\``);
  });

  it("print as an aligned table", () => {
    expect(
      formatTable(
        ["name", "n"],
        [
          { name: "a", n: 1.234 },
          { name: "bcd", n: null },
        ],
      ),
    ).toBe("name     n\n----  ----\na     1.23\nbcd      -");
    expect(formatTable(["x"], [])).toBe("(no rows)");
  });
});

describe("npm run metrics", () => {
  const api = new StubApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  it("checks its command line", () => {
    expect(args(["--region", "gcpv"])).toMatchObject({ region: "gcpv", window: { interval: "'15' MINUTE" }, dataset: "airspace_fleet_metrics" });
    for (const bad of [
      [],
      ["--region", "GCPV"],
      ["--region", "gcpv", "--since", "15"],
      ["--region", "gcpv", "--dataset", "a-b"],
      ["--region", "gcpv", "--bogus"],
    ])
      expect(parseCommandLine(bad, METRICS_CLI), bad.join(" ")).toMatchObject({ kind: "error" });
  });

  it("says exactly which credentials are missing, and asks nothing of the API", async () => {
    const before = api.seen.length;
    const a = args(["--region", "gcpv", "--api", api.base]);
    const none = await capture(a, {});
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^metrics: CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are not set/);
    const token = await capture(a, { CLOUDFLARE_ACCOUNT_ID: "acc123", CLOUDFLARE_API_TOKEN: " " });
    expect(token.code).toBe(2);
    expect(token.err).toMatch(/^metrics: CLOUDFLARE_API_TOKEN is not set/);
    expect(api.seen.length).toBe(before);
  });

  it("posts each query with the token to the account's SQL endpoint and prints the tables", async () => {
    api.seen.length = 0;
    api.reply = answer;
    const r = await capture(args(["--region", "gcpv", "--since", "15m", "--api", api.base]), ENV);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(api.seen).toHaveLength(QUERY_TEMPLATES.length);
    for (const s of api.seen) {
      expect(s.method).toBe("POST");
      expect(s.url).toBe("/client/v4/accounts/acc123/analytics_engine/sql");
      expect(s.headers.authorization).toBe("Bearer tok-xyz");
      expect(s.sql).toContain("index1 = 'gcpv'");
      expect(s.sql).toContain("INTERVAL '15' MINUTE");
    }
    expect(r.out).toBe(
      [
        "region gcpv, last 15m, dataset airspace_fleet_metrics",
        "",
        "Fleet",
        "t                    active_drones  alerts_started  alerts_cleared  max_warning_conflicts  worst_p99_delay_ms",
        "-------------------  -------------  --------------  --------------  ---------------------  ------------------",
        "2026-12-01 05:00:00          41.50               3               2                      1               12.25",
        "2026-12-01 05:01:00             40               0               1                      0                   9",
        "",
        "Pipeline (points per second)",
        "(no rows)",
        "",
        "Battery",
        "(no rows)",
        "",
        "Busiest 100 m cells",
        "cell               drones",
        "-----------------  ------",
        "51.50012,-0.10003       7",
      ].join("\n"),
    );
  });

  it("stops at an API error and prints its message", async () => {
    api.reply = () => ({ status: 401, body: JSON.stringify({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }) });
    const r = await capture(args(["--region", "gcpv", "--api", api.base]), ENV);
    expect(r.code).toBe(1);
    expect(r.err).toBe('metrics: the Analytics Engine SQL API answered 401 to "Fleet": Authentication error');
    api.reply = () => ({ status: 422, body: "unknown column double99" });
    expect((await capture(args(["--region", "gcpv", "--api", api.base]), ENV)).err).toMatch(/answered 422 to "Fleet": unknown column double99$/);
  });

  it("runs as a command: exit 2 naming what is missing, exit 0 with the tables (AIRSPACE_METRICS_API)", async () => {
    api.reply = answer;
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const { CLOUDFLARE_ACCOUNT_ID: _a, CLOUDFLARE_API_TOKEN: _t, AIRSPACE_METRICS_API: _m, ...rest } = process.env;
        execFile(
          process.execPath,
          ["--import", "tsx", "scripts/metrics.ts", "--region", "gcpv", "--since", "1h"],
          { cwd: ROOT, timeout: 20_000, env: { ...rest, ...env } },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const [missing, ok] = await Promise.all([run({ CLOUDFLARE_API_TOKEN: "t" }), run({ ...ENV, AIRSPACE_METRICS_API: api.base })]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/CLOUDFLARE_ACCOUNT_ID is not set/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("region gcpv, last 1h");
    expect(ok.stdout).toContain("51.50012,-0.10003       7");
  });
});
