// A failing case for every check, through POST /api/replications with dryRun (and one full run that must change nothing).
import { type LocalStack } from "../../dev/stack/localStack";
import { startMariadbSource, startSource, type MysqlServer } from "../../dev/mysql";
import { currentTestCa } from "../../dev/tls/testCa";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(180_000);

interface Check {
  code: string;
  status: string;
  message: string;
  remedy: string;
}

describe("validation checks", () => {
  let stack: LocalStack;
  const extraServers: MysqlServer[] = [];

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    for (const server of extraServers) await server.stop();
    await stack?.stop();
  });

  async function dryRun(
    patch: (body: ReturnType<LocalStack["exampleRequest"]>) => unknown,
  ): Promise<{ status: number; checks: Check[]; body: Record<string, unknown> }> {
    const body = patch(stack.exampleRequest());
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...(body as object), dryRun: true },
    });
    const json = response.json<Record<string, unknown>>();
    return { status: response.status, checks: (json.checks ?? []) as Check[], body: json };
  }

  function find(checks: Check[], code: string): Check {
    const found = checks.find((item) => item.code === code);
    if (!found) throw new Error(`no check ${code} in ${checks.map((c) => c.code).join(", ")}`);
    return found;
  }

  async function sourceVariant(
    options: Parameters<typeof startSource>[0],
    start: typeof startSource = startSource,
  ): Promise<MysqlServer> {
    const server = await start({ ca: await currentTestCa(), ...options });
    extraServers.push(server);
    await server.createUser({
      user: stack.replicationUser,
      password: stack.secrets.replicationPassword!,
      privileges: ["REPLICATION SLAVE"],
    });
    await server.createUser({
      user: stack.inspectionUser,
      password: stack.secrets.inspectionPassword!,
      privileges:
        server.flavor === "mariadb" ? ["SELECT", "BINLOG MONITOR"] : ["SELECT", "REPLICATION CLIENT"],
    });
    return server;
  }

  /** The example's source passwords, bound (as app settings) to another port or replication user of the source. */
  function boundSource(port: number, replicationUser = stack.replicationUser) {
    const suffix = `${port}_${replicationUser}`.toUpperCase().replace(/\W/g, "_");
    const [replication, inspection] = [`REPLICATION_SECRET_R_${suffix}`, `REPLICATION_SECRET_I_${suffix}`];
    stack.setBoundAppSetting(
      replication,
      stack.secrets.replicationPassword!,
      "source-replication",
      replicationUser,
      port,
    );
    stack.setBoundAppSetting(
      inspection,
      stack.secrets.inspectionPassword!,
      "source-inspection",
      stack.inspectionUser,
      port,
    );
    return {
      port,
      replicationUser,
      replicationPassword: { appSetting: replication },
      inspectionPassword: { appSetting: inspection },
    };
  }

  it("passes every check for the sandbox's own servers and plans the changes without making them", async () => {
    const { status, checks, body } = await dryRun((b) => b);
    expect(status).toBe(200);
    expect(checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(body.wouldSucceed).toBe(true);
    expect(body.plannedChanges).toMatchObject({
      firewallRule: { startIpAddress: "127.0.0.1", action: "create" },
      link: { arguments: { master_password: "********", master_user: stack.replicationUser } },
    });
    expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
    const status2 = await stack.replica.rootQuery("SHOW REPLICA STATUS");
    expect(status2).toEqual([]);
  });

  it("names the source's own firewall on Single Server too, with Azure's way to find the replica's address", async () => {
    const { checks, body } = await dryRun((b) => b);
    expect(find(checks, "SOURCE_FIREWALL_ADMITS_REPLICA")).toMatchObject({
      status: "warn",
      remedy: expect.stringMatching(/SELECT @@global\.redirect_server_host.*it can change/) as string,
    });
    expect(body.plannedChanges).toMatchObject({
      firewallRule: { action: "create" },
      sourceFirewall: {
        replicaOutboundAddress: null,
        instruction: expect.stringContaining("redirect_server_host") as string,
      },
    });
  });

  it("decides GTID linking on Single Server by the replica's gtid_mode", async () => {
    const off = await dryRun((b) => ({ ...b, linking: "gtid" }));
    expect(find(off.checks, "GTID_LINKING_SUPPORTED")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("gtid_mode is OFF") as string,
      remedy: expect.stringMatching(/Single Server supports GTIDs on 5\.7 and 8\.0/) as string,
    });
    // Raised as the server parameter would (one step at a time), seeded as a dump restore with GTIDs would be.
    await stack.replica.rootQuery("SET GLOBAL enforce_gtid_consistency = ON");
    for (const mode of ["OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"])
      await stack.replica.rootQuery("SET GLOBAL gtid_mode = ?", [mode]);
    try {
      await stack.seedReplicaGtidState();
      const on = await dryRun((b) => ({ ...b, linking: "gtid" }));
      expect(on.status).toBe(200);
      expect(find(on.checks, "GTID_LINKING_SUPPORTED").status).toBe("pass");
      // This stack's source has GTIDs off, so GTID_MODE fails; the replica's side is what this test is about.
      expect(on.checks.filter((c) => c.status === "fail").map((c) => c.code)).toEqual(["GTID_MODE"]);
      expect(on.body.plannedChanges).toMatchObject({
        link: { procedure: "mysql.az_replication_change_master_with_gtid" },
      });
    } finally {
      for (const mode of ["ON_PERMISSIVE", "OFF_PERMISSIVE", "OFF"])
        await stack.replica.rootQuery("SET GLOBAL gtid_mode = ?", [mode]);
      await stack.replica.rootQuery("SET GLOBAL enforce_gtid_consistency = OFF");
    }
  });

  it("answers a caching_sha2_password user without a CA with TLS, naming the source's version", async () => {
    const { checks } = await dryRun((b) => {
      const { caCertificate: _omitted, ...source } = b.source;
      return { ...b, source };
    });
    const auth = find(checks, "AUTH_PLUGIN_TLS");
    expect(auth.status).toBe("fail");
    expect(auth.remedy).toMatch(/^Supply the source's CA certificate/);
    expect(auth.remedy).toMatch(/The source runs MySQL 9\.\d+/);
    expect(auth.remedy).toMatch(/removed in 9\.0/);
  });

  it("names tables without a primary key and tables not on InnoDB", async () => {
    await stack.source.rootQuery("CREATE TABLE shop.no_pk (x INT) ENGINE=InnoDB");
    await stack.source.rootQuery("CREATE TABLE shop.legacy (id INT PRIMARY KEY) ENGINE=MyISAM");
    try {
      const { checks } = await dryRun((b) => b);
      expect(find(checks, "PRIMARY_KEYS")).toMatchObject({
        status: "fail",
        message: expect.stringContaining("shop.no_pk") as string,
      });
      expect(find(checks, "PRIMARY_KEYS").message).not.toContain("shop.orders");
      expect(find(checks, "INNODB_TABLES")).toMatchObject({
        status: "fail",
        message: expect.stringContaining("shop.legacy") as string,
      });
    } finally {
      await stack.source.rootQuery("DROP TABLE shop.no_pk, shop.legacy");
    }
  });

  it("fails mixed-case table names when lower_case_table_names differs", async () => {
    await stack.source.rootQuery("CREATE TABLE shop.MixedCase (id INT PRIMARY KEY)");
    try {
      const { checks } = await dryRun((b) => b);
      expect(find(checks, "LOWER_CASE_TABLE_NAMES")).toMatchObject({
        status: "fail",
        message: expect.stringContaining("shop.MixedCase") as string,
      });
    } finally {
      await stack.source.rootQuery("DROP TABLE shop.MixedCase");
    }
  });

  it("skips schema checks without an inspection account, saying why", async () => {
    const { checks } = await dryRun((b) => ({
      ...b,
      source: { ...b.source, inspectionUser: undefined, inspectionPassword: undefined },
    }));
    for (const code of ["PRIMARY_KEYS", "INNODB_TABLES", "AUTH_PLUGIN_TLS"]) {
      expect(find(checks, code)).toMatchObject({
        status: "skipped",
        message: expect.stringContaining("inspection account") as string,
      });
    }
  });

  it("fails a replication user without REPLICATION SLAVE", async () => {
    await stack.source.createUser({
      user: "reader",
      password: stack.secrets.replicationPassword!,
      privileges: ["SELECT"],
    });
    const { checks } = await dryRun((b) => ({
      ...b,
      source: { ...b.source, ...boundSource(b.source.port, "reader") },
    }));
    expect(find(checks, "REPLICATION_PRIVILEGE")).toMatchObject({
      status: "fail",
      remedy: expect.stringContaining("GRANT REPLICATION SLAVE") as string,
    });
  });

  it("fails a wrong replication password as a login failure", async () => {
    stack.setBoundAppSetting(
      "REPLICATION_SECRET_WRONG",
      "not-the-password",
      "source-replication",
      stack.replicationUser,
    );
    const { checks } = await dryRun((b) => ({
      ...b,
      source: { ...b.source, replicationPassword: { appSetting: "REPLICATION_SECRET_WRONG" } },
    }));
    expect(find(checks, "REPLICATION_USER_LOGIN").status).toBe("fail");
  });

  it("fails coordinates that do not exist on the source", async () => {
    const missing = await dryRun((b) => ({ ...b, binlog: { file: "mysql-bin.999999", position: 4 } }));
    expect(find(missing.checks, "BINLOG_COORDINATES")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("1236") as string,
    });
    const current = await stack.source.binlogStatus();
    const beyond = await dryRun((b) => ({
      ...b,
      binlog: { file: current!.file, position: current!.position + 1_000_000 },
    }));
    expect(find(beyond.checks, "BINLOG_COORDINATES").status).toBe("fail");
    const good = await dryRun((b) => ({ ...b, binlog: current! }));
    expect(find(good.checks, "BINLOG_COORDINATES").status).toBe("pass");
  });

  it("fails a source without binary logging and warns on STATEMENT format and short retention", async () => {
    const noBinlog = await sourceVariant({ logBin: false, label: "no-binlog" });
    const off = await dryRun((b) => ({ ...b, source: { ...b.source, ...boundSource(noBinlog.port) } }));
    expect(find(off.checks, "LOG_BIN").status).toBe("fail");
    const statement = await sourceVariant({
      binlogFormat: "STATEMENT",
      binlogExpireLogsSeconds: 3600,
      label: "statement",
    });
    const warned = await dryRun((b) => ({ ...b, source: { ...b.source, ...boundSource(statement.port) } }));
    expect(find(warned.checks, "BINLOG_FORMAT").status).toBe("warn");
    expect(find(warned.checks, "BINLOG_RETENTION").status).toBe("warn");
  });

  it("fails TLS that the source requires when no CA is given", async () => {
    const strict = await sourceVariant({ requireSecureTransport: true, label: "strict-tls" });
    const { checks } = await dryRun((b) => ({
      ...b,
      source: { ...b.source, ...boundSource(strict.port), caCertificate: undefined },
    }));
    const tls = find(checks, "SOURCE_TLS");
    expect(tls.status).toBe("fail");
    expect(tls.remedy).toMatch(/caCertificate/);
  });

  it("fails a source whose server_id equals the replica's", async () => {
    const [row] = await stack.replica.rootQuery<{ id: number }>("SELECT @@server_id AS id");
    const twin = await sourceVariant({ serverId: Number(row!.id), label: "same-id" });
    const { checks } = await dryRun((b) => ({ ...b, source: { ...b.source, ...boundSource(twin.port) } }));
    expect(find(checks, "SERVER_ID_DISTINCT").status).toBe("fail");
  });

  it("refuses a MariaDB source before any change: data-in replication needs MySQL on both sides", async () => {
    const mariadb = await sourceVariant({ label: "mariadb" }, startMariadbSource);
    expect(mariadb.flavor).toBe("mariadb");
    const { checks, body } = await dryRun((b) => ({
      ...b,
      source: { ...b.source, ...boundSource(mariadb.port) },
    }));
    const flavor = find(checks, "SOURCE_FLAVOR");
    expect(flavor.status).toBe("fail");
    expect(flavor.message).toMatch(/MariaDB .*Oracle MySQL.*MySQL on both sides/);
    expect(flavor.remedy).toMatch(/Oracle MySQL/);
    expect(body.wouldSucceed).toBe(false);
    expect(find((await dryRun((b) => b)).checks, "SOURCE_FLAVOR").status).toBe("pass");
  });

  it("fails a source with server_id 0 (possible on MySQL, which refuses replicas then)", async () => {
    const zero = await sourceVariant({ serverId: 0, label: "id-zero" });
    const { checks } = await dryRun((b) => ({ ...b, source: { ...b.source, ...boundSource(zero.port) } }));
    expect(find(checks, "SERVER_ID").status).toBe("fail");
    expect(find(checks, "SERVER_ID").message).toMatch(/server_id is 0/);
  });

  it("fails an unreachable source", async () => {
    const gone = await sourceVariant({ label: "gone" });
    const port = gone.port;
    await gone.stop();
    const { checks } = await dryRun((b) => ({ ...b, source: { ...b.source, ...boundSource(port) } }));
    expect(find(checks, "SOURCE_REACHABLE").status).toBe("fail");
  });

  it("fails a Basic-tier replica, naming the tier and the fix", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "Basic";
    try {
      const { checks } = await dryRun((b) => b);
      const tier = find(checks, "REPLICA_TIER");
      expect(tier.status).toBe("fail");
      expect(tier.message).toMatch(/Basic/);
      expect(tier.remedy).toMatch(/General Purpose or Memory Optimized/);
    } finally {
      server.tier = "GeneralPurpose";
    }
  });

  it("fails a replica that is not Ready, an unknown replica and a wrong admin password; reads the version from the server", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.state = "Disabled";
    try {
      expect(find((await dryRun((b) => b)).checks, "REPLICA_READY").status).toBe("fail");
    } finally {
      server.state = "Ready";
    }
    const unknown = await dryRun((b) => ({ ...b, replica: { ...b.replica, serverName: "no-such-server" } }));
    expect(find(unknown.checks, "REPLICA_EXISTS").status).toBe("fail");

    // The replica's version is the server's own (@@version): Resource Manager's field (which can lag) does not decide.
    const version = server.version;
    server.version = "5.7";
    try {
      const matched = find((await dryRun((b) => b)).checks, "VERSION_MATCH");
      expect(matched.status).toBe("pass");
      expect(matched.message).toContain(stack.replica.version.replace(/-.*$/, ""));
    } finally {
      server.version = version;
    }
    stack.setBoundAppSetting("REPLICATION_SECRET_BAD_ADMIN", "wrong", "replica-admin");
    const admin = await dryRun((b) => ({
      ...b,
      replica: { ...b.replica, adminPassword: { appSetting: "REPLICATION_SECRET_BAD_ADMIN" } },
    }));
    expect(find(admin.checks, "REPLICA_ADMIN_LOGIN").status).toBe("fail");
  });

  it("ends a real run with failed checks as failed, nothing changed, nothing to roll back", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "Basic";
    try {
      const { post, view } = await provisionAndWait(stack, stack.exampleRequest());
      expect(post.status).toBe(202);
      expect(view).toMatchObject({
        state: "failed",
        rolledBack: null,
        changes: [],
        error: { code: "VALIDATION_FAILED" },
      });
      expect(server.firewallRules()).toEqual([]);
      expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
      const armWrites = stack.emulators.arm.requests.filter((r) => r.method !== "GET");
      expect(armWrites).toEqual([]);
      // As the OpenAPI text says: the refused run is recorded with the source that was asked for, and DELETE only
      // marks it removed, touching nothing on the replica.
      expect(view.source).toMatchObject({ host: stack.source.host, port: stack.source.port });
      const deleted = await stack.host.invokeHttp({
        method: "DELETE",
        path: `/api/replications/${String(view.id)}`,
      });
      expect(deleted.status).toBe(202);
      await stack.host.waitForInstance(`${String(view.id)}-teardown`, { timeoutMs: 60_000 });
      const after = await stack.host.invokeHttp({
        method: "GET",
        path: `/api/replications/${String(view.id)}`,
      });
      expect(after.json()).toMatchObject({ state: "removed" });
      expect(stack.emulators.arm.requests.filter((r) => r.method !== "GET")).toEqual([]);
    } finally {
      server.tier = "GeneralPurpose";
    }
  });
  it("says why a run stops when Resource Manager reports no FQDN, instead of '0 check(s) failed'", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    const withoutFqdn = server.toArm() as { properties: Record<string, unknown> };
    delete withoutFqdn.properties.fullyQualifiedDomainName;
    const fault = stack.emulators.arm.faults.add({
      method: "GET",
      pathRegex: new RegExp(`/servers/${stack.serverName}$`, "i"),
      status: 200,
      body: withoutFqdn,
      times: Infinity,
    });
    try {
      const dry = await dryRun((b) => b);
      expect(dry.body.wouldSucceed).toBe(false);
      const { view } = await provisionAndWait(stack, stack.exampleRequest());
      const error = view.error as { code: string; message: string; remedy: string };
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.message).not.toMatch(/0 check\(s\) failed/);
      expect(error.message).toMatch(/no fullyQualifiedDomainName/);
      expect(error.remedy).not.toBe("");
      expect(view.rolledBack).toBeNull();
    } finally {
      fault.remove();
    }
  });
  it("reports 60 offending tables in the output of a real run: the custom status stays small, as Azure requires", async () => {
    // Names of 60 characters, MyISAM and without a primary key: each is listed by two checks.
    const names = Array.from({ length: 60 }, (_, i) =>
      `legacy_${String(i).padStart(2, "0")}_`.padEnd(60, "x"),
    );
    for (const name of names) await stack.source.rootQuery(`CREATE TABLE shop.${name} (x INT) ENGINE=MyISAM`);
    try {
      const { post, view } = await provisionAndWait(stack, stack.exampleRequest());
      expect(post.status).toBe(202);
      expect(view).toMatchObject({ state: "failed", error: { code: "VALIDATION_FAILED" } });
      const checks = view.checks as Check[];
      expect(find(checks, "PRIMARY_KEYS")).toMatchObject({
        status: "fail",
        message: expect.stringContaining(`shop.${names[0]}`) as string,
      });
      // These checks alone are over the Durable extension's 16 KB (UTF-16) custom-status limit.
      expect(Math.floor((JSON.stringify(checks).length * 2) / 1024)).toBeGreaterThan(16);
      const custom = stack.host.instance(String(view.id))?.customStatus;
      expect(JSON.stringify(custom).length * 2).toBeLessThan(4 * 1024);
    } finally {
      for (const name of names) await stack.source.rootQuery(`DROP TABLE IF EXISTS shop.${name}`);
    }
  });
});
