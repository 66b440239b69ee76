// A link's health verdict without a server: state from threads, drift and lag; heartbeat and firewall findings; redaction.
import {
  assembleHealth,
  heartbeatLagFinding,
  judgeHealth,
  sourceFirewallFinding,
} from "../../../shared/health/healthVerdict";
import { emptyFindings } from "../../../shared/health/revalidationFindings";
import { type ReplicationStatus } from "../../../shared/replica/replicationStatus";

const running: ReplicationStatus = {
  configured: true,
  sourceHost: "203.0.113.10",
  sourcePort: 3306,
  sourceUser: "repl",
  ioRunning: "Yes",
  sqlRunning: "Yes",
  ioState: "Waiting for source to send event",
  secondsBehind: 0,
  lastIoErrno: 0,
  lastIoError: "",
  lastSqlErrno: 0,
  lastSqlError: "",
  sourceLogFile: "binlog.000002",
  readSourceLogPos: 157,
  execSourceLogFile: "binlog.000002",
  execSourceLogPos: 157,
  usingGtid: "0",
  sslCaConfigured: false,
  failedTransactionGtid: null,
};
const drift = { code: "SOURCE_BINLOG_RETENTION", message: "short", remedy: "raise it" };
const link = { source: { host: "source.example", port: 3306 }, replicaFqdn: "r.mysql.database.azure.com" };

describe("judgeHealth", () => {
  it("is unknown without a status and broken when a thread is down or the link is gone", () => {
    expect(judgeHealth(null, [], null)).toBe("unknown");
    expect(judgeHealth({ ...running, ioRunning: "Connecting" }, [], 0)).toBe("broken");
    expect(judgeHealth({ ...running, sqlRunning: "No" }, [], 0)).toBe("broken");
    expect(judgeHealth({ ...running, configured: false }, [], 0)).toBe("broken");
  });

  it("is degraded by any drift or by Seconds_Behind_Source over 300 s, healthy otherwise", () => {
    expect(judgeHealth(running, [drift], 0)).toBe("degraded");
    expect(judgeHealth(running, [], 301)).toBe("degraded");
    expect(judgeHealth(running, [], 300)).toBe("healthy");
    expect(judgeHealth(running, [], null)).toBe("healthy");
  });
});

describe("heartbeatLagFinding", () => {
  it("reports a lag over the threshold, rounded, naming the setting", () => {
    const finding = heartbeatLagFinding(125.4, 60);
    expect(finding?.code).toBe("HEARTBEAT_LAG");
    expect(finding?.message).toContain("125 s behind");
    expect(finding?.message).toContain("HEARTBEAT_LAG_THRESHOLD_SECONDS");
  });

  it("says nothing at or under the threshold, or without a heartbeat", () => {
    expect(heartbeatLagFinding(60, 60)).toBeNull();
    expect(heartbeatLagFinding(null, 60)).toBeNull();
  });
});

describe("sourceFirewallFinding", () => {
  it("reads IO error 2003 as the source's firewall refusing the replica's outbound address", () => {
    const finding = sourceFirewallFinding(
      { ...running, lastIoErrno: 2003 },
      { ...link, replica: { outboundAddress: "20.1.2.3" } },
    );
    expect(finding?.code).toBe("SOURCE_FIREWALL_BLOCKS_REPLICA");
    expect(finding?.message).toContain("must admit 20.1.2.3");
    expect(finding?.remedy).toContain("20.1.2.3");
  });

  it("says nothing for other errors or without a status", () => {
    expect(sourceFirewallFinding({ ...running, lastIoErrno: 1045 }, { ...link, replica: {} })).toBeNull();
    expect(sourceFirewallFinding(null, { ...link, replica: {} })).toBeNull();
  });
});

describe("assembleHealth", () => {
  it("redacts every resolved secret from thread errors, drift and recovery details", () => {
    const out = emptyFindings();
    out.secrets.push("s3cret-pw");
    out.drift.push({ code: "SOURCE_CHECK_FAILED", message: "login s3cret-pw refused", remedy: "" });
    out.recovery.push({ action: "restartIoThread", outcome: "failed", detail: "pw s3cret-pw" });
    const status = {
      ...running,
      sqlRunning: "No" as const,
      lastSqlErrno: 1062,
      lastSqlError: "dup s3cret-pw",
    };
    const health = assembleHealth("link1", "2026-12-01T00:00:00Z", status, 2, out);
    expect(JSON.stringify(health)).not.toContain("s3cret-pw");
    expect(health.lastSqlError).toMatchObject({ errno: 1062, message: "dup ***" });
    expect(health.lastSqlError?.remedy).not.toBe("");
    expect(health).toMatchObject({
      state: "broken",
      sqlThread: "No",
      heartbeatLagSeconds: 2,
      lastIoError: null,
    });
  });
});
