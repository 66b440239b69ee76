// Address, network, TLS and login findings from gathered facts: each failure lands on the check it concerns, the others say why they were skipped.
import { type CheckResult } from "../../../../shared/domain/checkResult";
import { connectionChecks } from "../../../../shared/source/checks/connectionChecks";
import { ADDRESS_REFUSED, FAILURES, checkInput, connected, notConnected } from "../fixtures/gatheredFacts";

const { sourceAddress, sourceReachable, sourceTls, replicationUserLogin, inspectionUserLogin } =
  connectionChecks;
const input = checkInput();

function only(outcome: CheckResult | CheckResult[]): CheckResult {
  const results = [outcome].flat();
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe("SOURCE_ADDRESS", () => {
  it("reports the address judgement: a refused address fails with its message and remedy", () => {
    expect(sourceAddress.rule(ADDRESS_REFUSED, input)).toEqual({
      code: "SOURCE_ADDRESS",
      status: "fail",
      message:
        "Source host db.internal resolves to non-public address 10.0.0.5: the Azure replica cannot reach it.",
      remedy: "Expose the source on a public address.",
    });
  });

  it("passes a public address", () => {
    expect(only(sourceAddress.rule(connected(), input))).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/resolves to public address 203\.0\.113\.10/),
    });
  });
});

describe("SOURCE_REACHABLE", () => {
  it("passes once connected, naming the host and port asked for", () => {
    expect(sourceReachable.rule(connected(), input)).toEqual({
      code: "SOURCE_REACHABLE",
      status: "pass",
      message: "Connected to db.example.com:3306.",
      remedy: "",
    });
  });

  it("fails a network failure with the address tried and the client's error", () => {
    expect(only(sourceReachable.rule(notConnected(FAILURES.unreachable), input))).toMatchObject({
      code: "SOURCE_REACHABLE",
      status: "fail",
      message: "The source 203.0.113.10:3306 cannot be reached: connect ECONNREFUSED",
      remedy: expect.stringMatching(/firewall admits the replica and this app/),
    });
  });

  it.each([FAILURES.tls, FAILURES.tlsRequired, FAILURES.accessDenied, FAILURES.other])(
    "says nothing when the source answered but the connection failed later ($kind)",
    (failure) => {
      expect(sourceReachable.rule(notConnected(failure), input)).toEqual([]);
    },
  );
});

describe("SOURCE_TLS", () => {
  it("fails a TLS handshake failure, naming the account and the error", () => {
    expect(only(sourceTls.rule(notConnected(FAILURES.tls), input))).toMatchObject({
      code: "SOURCE_TLS",
      status: "fail",
      message:
        "TLS with the source failed for the replication user: self-signed certificate in certificate chain",
      remedy: expect.stringMatching(/^Supply the CA certificate/),
    });
  });

  it("fails a plain connection to a source that requires TLS", () => {
    expect(only(sourceTls.rule(notConnected(FAILURES.tlsRequired), input))).toMatchObject({
      status: "fail",
      message: "The source requires TLS (require_secure_transport) and no CA certificate was supplied.",
      remedy: expect.stringMatching(/source\.caCertificate/),
    });
  });

  it("is skipped, saying why, when the network or the login failed", () => {
    expect(only(sourceTls.rule(notConnected(FAILURES.unreachable), input))).toMatchObject({
      status: "skipped",
      message: "The source cannot be reached.",
    });
    expect(only(sourceTls.rule(notConnected(FAILURES.accessDenied), input))).toMatchObject({
      status: "skipped",
      message: "The replication user could not log in.",
    });
  });

  it("passes with a CA certificate", () => {
    expect(only(sourceTls.rule(connected(), checkInput({ caCertificateSupplied: true })))).toMatchObject({
      status: "pass",
      message: "TLS to the source verified against the supplied CA certificate.",
    });
  });

  it("fails without a CA when only a TLS probe could log in, naming the user", () => {
    const result = only(sourceTls.rule(connected({ tlsOnlyWithoutCa: true }), input));
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/^The source accepts repl only over TLS/);
  });

  it("fails without a CA when the source requires secure transport", () => {
    const result = only(sourceTls.rule(connected({ variables: { require_secure_transport: "ON" } }), input));
    expect(result).toMatchObject({
      status: "fail",
      message: "The source requires TLS (require_secure_transport = ON) and no CA certificate was supplied.",
    });
  });

  it("fails without a CA when the inspection account sees the user created with REQUIRE SSL", () => {
    const facts = connected();
    facts.inspection.replicationAccounts = { rows: [{ plugin: "mysql_native_password", sslType: "ANY" }] };
    expect(only(sourceTls.rule(facts, input))).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/repl is created with REQUIRE SSL\/X509/),
    });
  });

  it("warns that traffic is unencrypted when nothing requires TLS and no CA is given", () => {
    expect(only(sourceTls.rule(connected(), input))).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/will cross the network unencrypted/),
    });
    expect(only(sourceTls.rule(connected({ inspection: { state: "notGiven" } }), input)).status).toBe("warn");
  });
});

describe("REPLICATION_USER_LOGIN", () => {
  it("passes once logged in, and says when only over TLS", () => {
    expect(only(replicationUserLogin.rule(connected(), input)).message).toBe(
      "The replication user repl logs in.",
    );
    expect(only(replicationUserLogin.rule(connected({ tlsOnlyWithoutCa: true }), input)).message).toBe(
      "The replication user repl logs in, but only over TLS.",
    );
  });

  it("fails access denied, naming the user and where the grants may be wrong", () => {
    expect(only(replicationUserLogin.rule(notConnected(FAILURES.accessDenied), input))).toMatchObject({
      code: "REPLICATION_USER_LOGIN",
      status: "fail",
      message: "The replication user repl cannot log in to the source: access denied.",
      remedy: expect.stringMatching(/Grants may be host-specific/),
    });
  });

  it("fails another refusal with the client's error", () => {
    expect(only(replicationUserLogin.rule(notConnected(FAILURES.other), input))).toMatchObject({
      status: "fail",
      message:
        "The replication user repl cannot connect: Host 'x' is blocked because of many connection errors",
      remedy: "See the MySQL error above.",
    });
  });

  it("is skipped, saying why, when the network or TLS failed first", () => {
    expect(only(replicationUserLogin.rule(notConnected(FAILURES.unreachable), input))).toMatchObject({
      status: "skipped",
      message: "The source cannot be reached.",
    });
    expect(only(replicationUserLogin.rule(notConnected(FAILURES.tls), input))).toMatchObject({
      status: "skipped",
      message: "No TLS session could be established.",
    });
  });
});

describe("INSPECTION_USER_LOGIN", () => {
  it("says nothing when the inspection account connected or was not given", () => {
    expect(inspectionUserLogin.rule(connected(), input)).toEqual([]);
    expect(inspectionUserLogin.rule(connected({ inspection: { state: "notGiven" } }), input)).toEqual([]);
  });

  it("fails a denied inspection login under its own code, naming the account", () => {
    const facts = connected({
      inspection: { state: "connectFailed", failure: { kind: "accessDenied", user: "inspector" } },
    });
    expect(only(inspectionUserLogin.rule(facts, input))).toMatchObject({
      code: "INSPECTION_USER_LOGIN",
      status: "fail",
      message: "The inspection account inspector cannot log in to the source: access denied.",
    });
  });

  it("reports an inspection connection that fails on TLS under SOURCE_TLS", () => {
    const facts = connected({ inspection: { state: "connectFailed", failure: FAILURES.tls } });
    expect(only(inspectionUserLogin.rule(facts, input))).toMatchObject({
      code: "SOURCE_TLS",
      status: "fail",
      message: expect.stringMatching(/^TLS with the source failed for the inspection account/),
    });
  });
});
