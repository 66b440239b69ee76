// Checks on both servers' facts: the replica's own version, GTID linking by gtid_mode, invisible primary keys, the source's firewall on Single Server.
import { compareServers } from "../../../shared/domain/compareServers";
import { parseServerIdentity } from "../../../shared/mysql/mysqlSession";
import { type SourceFacts } from "../../../shared/source/sourceValidation";
import { type ReplicaInspection } from "../../../shared/workflow/activities/inspectReplicaActivity";
import { NOT_CONFIGURED } from "../../../shared/replica/replicationStatus";
import { type SourceSpec } from "../../../shared/workflow/provisionTypes";

const spec: SourceSpec = {
  host: "db.example.com",
  port: 3306,
  replicationUser: "repl",
  replicationPassword: { appSetting: "REPLICATION_SECRET_X" },
};

function sourceFacts(version: string, patch: Partial<SourceFacts> = {}): SourceFacts {
  return {
    resolvedIpv4: "20.1.2.3",
    reachable: true,
    identity: parseServerIdentity(version, "MySQL Community Server - GPL"),
    serverId: 1,
    lowerCaseTableNames: 1,
    gtidMode: "ON",
    gtid: {
      gtidMode: "ON",
      enforceGtidConsistency: "ON",
      gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5",
      gtidPurged: "",
    },
    currentCoordinates: { file: "binlog.000001", position: 157 },
    mixedCaseTables: { names: [], total: 0 },
    tablesWithoutPrimaryKey: { names: [], total: 0 },
    invisiblePrimaryKeys: { generate: false, tables: { names: [], total: 0 } },
    ...patch,
  };
}

function replica(
  kind: "single" | "flexible",
  serverVersion: string | null,
  patch: {
    armVersion?: string;
    gtidMode?: string;
    gipk?: boolean | null;
    redirect?: { host: string; addresses: string[] };
  } = {},
): ReplicaInspection {
  return {
    firewallDirection: kind === "single" ? "replicaAdmitsSource" : "sourceAdmitsReplica",
    server: {
      kind,
      name: "r",
      fqdn: "r.mysql.database.azure.com",
      version: patch.armVersion ?? "8.0.21",
      tier: "GeneralPurpose",
      skuName: "GP",
      state: "Ready",
      sslEnforcement: null,
      publicNetworkAccess: "Enabled",
      delegatedSubnetResourceId: null,
      highAvailabilityMode: null,
      administratorLogin: "azureadmin",
    },
    checks: [],
    firewallRule: null,
    sql: serverVersion
      ? {
          identity: parseServerIdentity(serverVersion, "MySQL Community Server - GPL"),
          serverId: 2,
          lowerCaseTableNames: 1,
          generateInvisiblePrimaryKey: patch.gipk ?? null,
          redirectServerHost: patch.redirect ?? null,
          status: NOT_CONFIGURED,
          gtid: {
            serverId: 2,
            gtidMode: patch.gtidMode ?? "ON",
            enforceGtidConsistency: "ON",
            gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5",
          },
        }
      : null,
  };
}

const find = (checks: ReturnType<typeof compareServers>, code: string) => checks.find((c) => c.code === code);

describe("compareServers", () => {
  it("takes the replica's version from the server itself, Resource Manager's field only as a fallback", () => {
    const fromServer = find(
      compareServers(sourceFacts("8.0.36"), replica("flexible", "8.0.40", { armVersion: "5.7" }), spec),
      "VERSION_MATCH",
    );
    expect(fromServer).toMatchObject({ status: "pass" });
    expect(fromServer?.message).toContain("8.0.40");
    const fallback = find(
      compareServers(sourceFacts("8.0.36"), replica("flexible", null, { armVersion: "5.7" }), spec),
      "VERSION_MATCH",
    );
    expect(fallback).toMatchObject({ status: "fail" });
    expect(fallback?.message).toMatch(/as Resource Manager reports it/);
  });

  it("allows 5.7 to 8.0 on Flexible Server with a warning that says what can break, and refuses it on Single Server", () => {
    const flexible = find(
      compareServers(sourceFacts("5.7.44"), replica("flexible", "8.0.40"), spec),
      "VERSION_MATCH",
    );
    expect(flexible?.status).toBe("warn");
    expect(flexible?.message).toMatch(/allows replicating from 5\.7 to 8\.0/);
    expect(flexible?.message).toMatch(/reserved words/);
    expect(flexible?.remedy).toMatch(/checkForServerUpgrade/);
    expect(
      find(compareServers(sourceFacts("5.7.44"), replica("single", "8.0.15"), spec), "VERSION_MATCH")?.status,
    ).toBe("fail");
    expect(
      find(compareServers(sourceFacts("8.0.36"), replica("flexible", "5.7.44"), spec), "VERSION_MATCH")
        ?.status,
    ).toBe("fail");
  });

  it("decides GTID linking by the replica's gtid_mode, not its kind: Single Server with GTIDs on can link by GTID", () => {
    const single = compareServers(sourceFacts("8.0.36"), replica("single", "8.0.36"), spec, {
      linking: "gtid",
    });
    expect(find(single, "GTID_LINKING_SUPPORTED")?.status).toBe("pass");
    expect(find(single, "GTID_ERRANT_TRANSACTIONS")?.status).toBe("pass");
    const off = compareServers(
      sourceFacts("8.0.36"),
      replica("flexible", "8.0.36", { gtidMode: "OFF" }),
      spec,
      { linking: "gtid" },
    );
    expect(find(off, "GTID_LINKING_SUPPORTED")).toMatchObject({ status: "fail" });
    expect(find(off, "GTID_LINKING_SUPPORTED")?.remedy).toMatch(/one step at a time/);
    const singleOff = compareServers(
      sourceFacts("8.0.36"),
      replica("single", "8.0.36", { gtidMode: "OFF" }),
      spec,
      { linking: "gtid" },
    );
    expect(find(singleOff, "GTID_LINKING_SUPPORTED")?.remedy).toMatch(
      /Single Server supports GTIDs on 5\.7 and 8\.0/,
    );
  });

  it("warns about invisible primary keys where Azure's docs name a risk", () => {
    const keyless = sourceFacts("8.0.36", { tablesWithoutPrimaryKey: { names: ["shop.log"], total: 1 } });
    const replicaGenerates = find(
      compareServers(keyless, replica("flexible", "8.0.40", { gipk: true }), spec),
      "INVISIBLE_PRIMARY_KEYS",
    );
    expect(replicaGenerates?.status).toBe("warn");
    expect(replicaGenerates?.message).toMatch(/shop\.log/);
    expect(replicaGenerates?.message).toMatch(/1068, 1075 or 4109/);
    expect(replicaGenerates?.remedy).toMatch(/sql_generate_invisible_primary_key to OFF/);

    const sourceHas = sourceFacts("8.0.36", {
      invisiblePrimaryKeys: { generate: true, tables: { names: ["shop.events"], total: 1 } },
    });
    const sourceGenerates = find(
      compareServers(sourceHas, replica("flexible", "8.0.40", { gipk: false }), spec),
      "INVISIBLE_PRIMARY_KEYS",
    );
    expect(sourceGenerates?.status).toBe("warn");
    expect(sourceGenerates?.message).toMatch(/shop\.events/);
    expect(sourceGenerates?.remedy).toMatch(/--skip-generated-invisible-primary-key/);

    expect(
      find(
        compareServers(sourceFacts("8.0.36"), replica("flexible", "8.0.40", { gipk: true }), spec),
        "INVISIBLE_PRIMARY_KEYS",
      )?.status,
    ).toBe("warn");
    expect(
      find(
        compareServers(
          sourceFacts("8.0.36", {
            invisiblePrimaryKeys: { generate: true, tables: { names: [], total: 0 } },
          }),
          replica("flexible", "8.0.40", { gipk: true }),
          spec,
        ),
        "INVISIBLE_PRIMARY_KEYS",
      )?.status,
    ).toBe("warn");
    expect(
      find(
        compareServers(sourceFacts("8.0.36"), replica("flexible", "8.0.40", { gipk: false }), spec),
        "INVISIBLE_PRIMARY_KEYS",
      )?.status,
    ).toBe("pass");
  });

  it("on Single Server names the replica's address for the source's firewall, found through redirect_server_host", () => {
    const checks = compareServers(
      sourceFacts("8.0.36"),
      replica("single", "8.0.36", {
        redirect: { host: "cr1.westeurope1-a.control.database.windows.net", addresses: ["52.236.184.163"] },
      }),
      spec,
    );
    const firewall = find(checks, "SOURCE_FIREWALL_ADMITS_REPLICA");
    expect(firewall?.status).toBe("warn");
    expect(firewall?.remedy).toMatch(/must admit 52\.236\.184\.163/);
    expect(firewall?.remedy).toMatch(/redirect_server_host/);
    const unknown = find(
      compareServers(sourceFacts("8.0.36"), replica("single", "8.0.36"), spec),
      "SOURCE_FIREWALL_ADMITS_REPLICA",
    );
    expect(unknown?.remedy).toMatch(/SELECT @@global\.redirect_server_host/);
  });
});
