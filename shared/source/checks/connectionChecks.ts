// Checks of getting to the source: its address, the network, TLS, and the logins of the replication and inspection accounts.
import { type CheckResult, check } from "../../domain/checkResult";
import { type ConnectFailure, type ConnectedFacts } from "../gatheredFacts";
import { isOn } from "../isOn";
import { sourceCheck } from "../sourceCheck";
import { type SourceCheckInput } from "../sourceCheckInput";

type Role = "replication user" | "inspection account";

const ADD_CA = "Add source.caCertificate with the PEM of the CA that signed the source's certificate.";

/** The failed connection as the finding it is: a TLS, network or login problem of that account. */
function failureCheck(failure: ConnectFailure, role: Role): CheckResult {
  const login = role === "replication user" ? "REPLICATION_USER_LOGIN" : "INSPECTION_USER_LOGIN";
  switch (failure.kind) {
    case "tls":
      return check(
        "SOURCE_TLS",
        "fail",
        `TLS with the source failed for the ${role}: ${failure.text}`,
        "Supply the CA certificate (PEM) that signed the source's server certificate, and make sure TLS is enabled on the source.",
      );
    case "tlsRequired":
      return check(
        "SOURCE_TLS",
        "fail",
        "The source requires TLS (require_secure_transport) and no CA certificate was supplied.",
        ADD_CA,
      );
    case "accessDenied":
      return check(
        login,
        "fail",
        `The ${role} ${failure.user} cannot log in to the source: access denied.`,
        "Check the user name and the password the secret reference resolves to; a user created with REQUIRE SSL also needs source.caCertificate. Grants may be host-specific: the user must be allowed from the replica's and this app's addresses.",
      );
    case "unreachable":
      return check(
        "SOURCE_REACHABLE",
        "fail",
        `The source ${failure.host}:${failure.port} cannot be reached: ${failure.text}`,
        "Make sure the source listens on a public address and port, and that its firewall admits the replica and this app.",
      );
    case "other":
      return check(
        login,
        "fail",
        `The ${role} ${failure.user} cannot connect: ${failure.text}`,
        "See the MySQL error above.",
      );
  }
}

/** Which connection step failed: the network, TLS, or the login itself. */
function failedStep(failure: ConnectFailure): "network" | "tls" | "login" {
  if (failure.kind === "unreachable") return "network";
  return failure.kind === "tls" || failure.kind === "tlsRequired" ? "tls" : "login";
}

function tlsCheck(facts: ConnectedFacts, input: SourceCheckInput): CheckResult {
  if (facts.tlsOnlyWithoutCa) {
    return check(
      "SOURCE_TLS",
      "fail",
      `The source accepts ${input.replicationUser} only over TLS (require_secure_transport or REQUIRE SSL), and no CA certificate was supplied: replication would fail with 1045 or 2026.`,
      ADD_CA,
    );
  }
  if (input.caCertificateSupplied) {
    return check("SOURCE_TLS", "pass", "TLS to the source verified against the supplied CA certificate.");
  }
  if (isOn(facts.variables.get("require_secure_transport"))) {
    return check(
      "SOURCE_TLS",
      "fail",
      "The source requires TLS (require_secure_transport = ON) and no CA certificate was supplied.",
      ADD_CA,
    );
  }
  const accounts = facts.inspection.state === "inspected" ? facts.inspection.replicationAccounts : null;
  if (accounts && "rows" in accounts && accounts.rows.some((row) => row.sslType !== "")) {
    return check(
      "SOURCE_TLS",
      "fail",
      `The replication user ${input.replicationUser} is created with REQUIRE SSL/X509 and no CA certificate was supplied: replication would fail with 1045 or 2026.`,
      ADD_CA,
    );
  }
  return check(
    "SOURCE_TLS",
    "warn",
    "No CA certificate was supplied: replication traffic, including data and credentials, will cross the network unencrypted.",
    "Enable TLS on the source and supply source.caCertificate.",
  );
}

const sourceAddress = sourceCheck({
  code: "SOURCE_ADDRESS",
  needs: "nothing",
  whenUnmet: "skip",
  rule: ({ address }) => check("SOURCE_ADDRESS", address.verdict, address.message, address.remedy),
});

const sourceReachable = sourceCheck({
  code: "SOURCE_REACHABLE",
  needs: "address",
  whenUnmet: "skip",
  rule: (facts, input) => {
    if (facts.stage === "connected")
      return check("SOURCE_REACHABLE", "pass", `Connected to ${input.host}:${input.port}.`);
    // Past a TLS or login failure the source answered, but nothing here says so: reported by those checks.
    return failedStep(facts.failure) === "network" ? failureCheck(facts.failure, "replication user") : [];
  },
});

const sourceTls = sourceCheck({
  code: "SOURCE_TLS",
  needs: "address",
  whenUnmet: "skip",
  rule: (facts, input) => {
    if (facts.stage === "connected") return tlsCheck(facts, input);
    switch (failedStep(facts.failure)) {
      case "network":
        return check("SOURCE_TLS", "skipped", "The source cannot be reached.");
      case "tls":
        return failureCheck(facts.failure, "replication user");
      case "login":
        return check("SOURCE_TLS", "skipped", "The replication user could not log in.");
    }
  },
});

const replicationUserLogin = sourceCheck({
  code: "REPLICATION_USER_LOGIN",
  needs: "address",
  whenUnmet: "skip",
  rule: (facts, input) => {
    if (facts.stage === "connected") {
      return check(
        "REPLICATION_USER_LOGIN",
        "pass",
        `The replication user ${input.replicationUser} logs in${facts.tlsOnlyWithoutCa ? ", but only over TLS" : ""}.`,
      );
    }
    switch (failedStep(facts.failure)) {
      case "network":
        return check("REPLICATION_USER_LOGIN", "skipped", "The source cannot be reached.");
      case "tls":
        return check("REPLICATION_USER_LOGIN", "skipped", "No TLS session could be established.");
      case "login":
        return failureCheck(facts.failure, "replication user");
    }
  },
});

/** Reported only when the inspection account fails to connect (under the code of what failed: TLS, network or login). */
const inspectionUserLogin = sourceCheck({
  code: "INSPECTION_USER_LOGIN",
  needs: "session",
  whenUnmet: "omit",
  rule: ({ inspection }) =>
    inspection.state === "connectFailed" ? failureCheck(inspection.failure, "inspection account") : [],
});

export const connectionChecks = {
  sourceAddress,
  sourceReachable,
  sourceTls,
  replicationUserLogin,
  inspectionUserLogin,
};
