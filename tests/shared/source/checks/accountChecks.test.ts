// The replication user's password length, REPLICATION SLAVE grant and authentication plugin, judged from gathered facts.
import { type CheckResult } from "../../../../shared/domain/checkResult";
import { accountChecks } from "../../../../shared/source/checks/accountChecks";
import { type ReplicationAccounts } from "../../../../shared/source/gatheredFacts";
import { checkInput, connected, inspected } from "../fixtures/gatheredFacts";

const { replicationPasswordLength, replicationPrivilege, authPluginTls } = accountChecks;

function only(outcome: CheckResult | CheckResult[]): CheckResult {
  const results = [outcome].flat();
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe("REPLICATION_PASSWORD_LENGTH", () => {
  it("passes 32 bytes and fails 33, naming MySQL's error 3056", () => {
    expect(
      only(replicationPasswordLength.rule(connected(), checkInput({ replicationPasswordBytes: 32 }))),
    ).toMatchObject({
      status: "pass",
      message: "The replication password fits MySQL's 32-byte limit.",
    });
    expect(
      only(replicationPasswordLength.rule(connected(), checkInput({ replicationPasswordBytes: 33 }))),
    ).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/^The replication password is 33 bytes long;.*error 3056/),
      remedy: expect.stringMatching(/at most 32 bytes/),
    });
  });
});

describe("REPLICATION_PRIVILEGE", () => {
  it.each([
    "GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`",
    "GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO `repl`@`%`",
    "GRANT REPLICATION REPLICA ON *.* TO 'repl'@'%'",
    "GRANT ALL PRIVILEGES ON *.* TO `repl`@`localhost`",
  ])("passes %s", (grant) => {
    expect(only(replicationPrivilege.rule(connected({ grants: [grant] }), checkInput())).status).toBe("pass");
  });

  it.each([
    ["a grant on one schema only", "GRANT ALL PRIVILEGES ON `shop`.* TO `repl`@`%`"],
    ["REPLICATION CLIENT alone", "GRANT REPLICATION CLIENT ON *.* TO `repl`@`%`"],
    ["USAGE", "GRANT USAGE ON *.* TO `repl`@`%`"],
  ])("fails %s, with the GRANT to run", (_name, grant) => {
    expect(only(replicationPrivilege.rule(connected({ grants: [grant] }), checkInput()))).toEqual({
      code: "REPLICATION_PRIVILEGE",
      status: "fail",
      message: "repl lacks REPLICATION SLAVE on *.*.",
      remedy: "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';",
    });
  });
});

describe("AUTH_PLUGIN_TLS", () => {
  const withAccounts = (replicationAccounts: ReplicationAccounts, version = "9.7.0") =>
    connected({ variables: { version }, inspection: inspected({ replicationAccounts }) });

  it("fails caching_sha2_password without a CA, with the remedy for the source's version", () => {
    const result = only(
      authPluginTls.rule(
        withAccounts({ rows: [{ plugin: "caching_sha2_password", sslType: "" }] }),
        checkInput(),
      ),
    );
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^The replication user repl authenticates with caching_sha2_password/);
    expect(result.remedy).toMatch(/MySQL 9\.7, which no longer has mysql_native_password/);
  });

  it("passes caching_sha2_password with a CA, naming the plugins once each", () => {
    const facts = withAccounts({
      rows: [
        { plugin: "caching_sha2_password", sslType: "" },
        { plugin: "caching_sha2_password", sslType: "" },
        { plugin: "mysql_native_password", sslType: "" },
      ],
    });
    expect(only(authPluginTls.rule(facts, checkInput({ caCertificateSupplied: true })))).toMatchObject({
      status: "pass",
      message: "The replication user authenticates with caching_sha2_password, mysql_native_password.",
    });
  });

  it("passes mysql_native_password without a CA", () => {
    const facts = withAccounts({ rows: [{ plugin: "mysql_native_password", sslType: "" }] }, "8.0.36");
    expect(only(authPluginTls.rule(facts, checkInput())).status).toBe("pass");
  });

  it("passes, saying so, when the inspection account sees no row for the user", () => {
    expect(only(authPluginTls.rule(withAccounts({ rows: [] }), checkInput()))).toMatchObject({
      status: "pass",
      message: "No mysql.user row for repl is visible to the inspection account.",
    });
  });

  it("is skipped with the grant to add when mysql.user cannot be read", () => {
    const facts = withAccounts({ error: "SELECT command denied to user 'inspector'@'%' for table 'user'" });
    expect(only(authPluginTls.rule(facts, checkInput()))).toEqual({
      code: "AUTH_PLUGIN_TLS",
      status: "skipped",
      message:
        "The inspection account cannot read mysql.user (SELECT command denied to user 'inspector'@'%' for table 'user').",
      remedy: "Grant the inspection account SELECT on mysql.user to have the authentication plugin checked.",
    });
  });
});
