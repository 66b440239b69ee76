// Checks of the replication user's account: its password length, its privilege, and its authentication plugin.
import { authPluginRemedy } from "../../errors/mysqlErrors";
import { check } from "../../domain/checkResult";
import { sourceCheck } from "../sourceCheck";

/**
 * MySQL keeps the replication password in at most 32 bytes: CHANGE REPLICATION SOURCE (run by Azure's
 * az_replication_change_master) refuses a longer one with error 3056, at link time, after the firewall changes. The
 * source itself accepts longer passwords, so the login passes: checked here, before any change. Seen on 9.7.
 */
const REPLICATION_PASSWORD_MAX_BYTES = 32;

function grantsAllowReplication(grantLines: readonly string[]): boolean {
  return grantLines.some((line) => {
    const match = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO/i.exec(line);
    if (!match?.[1]) return false;
    const privileges = match[1].toUpperCase();
    return privileges.includes("ALL PRIVILEGES") || /\bREPLICATION (SLAVE|REPLICA)\b/.test(privileges);
  });
}

const replicationPasswordLength = sourceCheck({
  code: "REPLICATION_PASSWORD_LENGTH",
  // Reported once the user logged in: before that the password may not be the right one anyway.
  needs: "session",
  whenUnmet: "omit",
  rule: (_facts, { replicationPasswordBytes: bytes }) =>
    bytes > REPLICATION_PASSWORD_MAX_BYTES
      ? check(
          "REPLICATION_PASSWORD_LENGTH",
          "fail",
          `The replication password is ${bytes} bytes long; MySQL stores at most ${REPLICATION_PASSWORD_MAX_BYTES} bytes for a replication source (CHANGE REPLICATION SOURCE fails with error 3056).`,
          `Give the replication user a password of at most ${REPLICATION_PASSWORD_MAX_BYTES} bytes (ASCII characters are one byte each), store it in the secret, and POST again.`,
        )
      : check(
          "REPLICATION_PASSWORD_LENGTH",
          "pass",
          `The replication password fits MySQL's ${REPLICATION_PASSWORD_MAX_BYTES}-byte limit.`,
        ),
});

const replicationPrivilege = sourceCheck({
  code: "REPLICATION_PRIVILEGE",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ grants }, { replicationUser }) =>
    grantsAllowReplication(grants)
      ? check("REPLICATION_PRIVILEGE", "pass", `${replicationUser} holds REPLICATION SLAVE.`)
      : check(
          "REPLICATION_PRIVILEGE",
          "fail",
          `${replicationUser} lacks REPLICATION SLAVE on *.*.`,
          `GRANT REPLICATION SLAVE ON *.* TO '${replicationUser}'@'%';`,
        ),
});

const authPluginTls = sourceCheck({
  code: "AUTH_PLUGIN_TLS",
  needs: "inspection",
  whenUnmet: "skip",
  rule: ({ inspection, identity }, input) => {
    const accounts = inspection.replicationAccounts;
    if ("error" in accounts) {
      return check(
        "AUTH_PLUGIN_TLS",
        "skipped",
        `The inspection account cannot read mysql.user (${accounts.error}).`,
        "Grant the inspection account SELECT on mysql.user to have the authentication plugin checked.",
      );
    }
    const plugins = accounts.rows.map((row) => row.plugin);
    if (plugins.includes("caching_sha2_password") && !input.caCertificateSupplied) {
      return check(
        "AUTH_PLUGIN_TLS",
        "fail",
        `The replication user ${input.replicationUser} authenticates with caching_sha2_password, which needs a secure connection (errors 2061/3201 otherwise), and no CA certificate was supplied.`,
        authPluginRemedy(identity),
      );
    }
    return check(
      "AUTH_PLUGIN_TLS",
      "pass",
      plugins.length === 0
        ? `No mysql.user row for ${input.replicationUser} is visible to the inspection account.`
        : `The replication user authenticates with ${[...new Set(plugins)].join(", ")}.`,
    );
  },
});

export const accountChecks = { replicationPasswordLength, replicationPrivilege, authPluginTls };
