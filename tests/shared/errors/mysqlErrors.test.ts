// MySQL error handling without a server: diagnoses and remedies by the source's version, the invisible-primary-key fix, and which errors are retried.
import {
  authPluginRemedy,
  diagnoseReplicationError,
  isPermanentReplicationError,
  isTransientMysqlError,
  mysqlErrno,
} from "../../../shared/errors/mysqlErrors";

describe("diagnoseReplicationError", () => {
  it.each([2061, 3201])(
    "answers %i with TLS, saying per version why mysql_native_password is no way out",
    (errno) => {
      const on97 = diagnoseReplicationError(errno, "Authentication requires secure connection.", {
        major: 9,
        minor: 7,
      });
      expect(on97.remedy).toMatch(/source\.caCertificate/);
      expect(on97.remedy).toMatch(/removed in 9\.0/);
      expect(on97.remedy).not.toMatch(/recreate the replication user WITH mysql_native_password/i);

      const on84 = diagnoseReplicationError(errno, "", { major: 8, minor: 4 });
      expect(on84.remedy).toMatch(/8\.4, where mysql_native_password is disabled by default/);
      expect(on84.remedy).not.toMatch(/recreate the replication user WITH mysql_native_password/i);

      const on80 = diagnoseReplicationError(errno, "", { major: 8, minor: 0 });
      expect(on80.remedy).toMatch(/source\.caCertificate/);
      expect(on80.remedy).toMatch(/WITH mysql_native_password/);

      const unknown = diagnoseReplicationError(errno, "");
      expect(unknown.remedy).toMatch(
        /only on MySQL 8\.0 and earlier.*8\.4 disables it by default and 9\.0 removed it/,
      );
      expect(unknown.permanent).toBe(true);
    },
  );

  it("authPluginRemedy puts TLS first for every version", () => {
    for (const version of [
      null,
      { major: 5, minor: 7 },
      { major: 8, minor: 0 },
      { major: 8, minor: 4 },
      { major: 9, minor: 1 },
    ]) {
      expect(authPluginRemedy(version)).toMatch(/^Supply the source's CA certificate/);
    }
  });

  it.each([
    [1068, /multiple primary keys/i],
    [1075, /AUTO_INCREMENT column/],
    [4109, /invisible primary key/i],
  ])("diagnoses %i as an invisible-primary-key conflict with Azure's documented fix", (errno, meaning) => {
    const diagnosis = diagnoseReplicationError(errno, "Error executing row event");
    expect(diagnosis.code).toBe(`MYSQL_${errno}`);
    expect(diagnosis.message).toMatch(meaning);
    expect(diagnosis.remedy).toMatch(/sql_generate_invisible_primary_key to OFF on the replica/);
    expect(diagnosis.remedy).toMatch(/DROP PRIMARY KEY, DROP COLUMN my_row_id/);
    expect(diagnosis.permanent).toBe(true);
  });

  it("names the GTID skip for GTID links in the 1062 remedy", () => {
    expect(diagnoseReplicationError(1062, "").remedy).toMatch(/az_replication_skip_gtid_transaction/);
  });
});

describe("diagnoseReplicationError for other errors", () => {
  it("says what a known error means, keeps the server's message, and whether retrying helps", () => {
    expect(
      diagnoseReplicationError(13114, "Could not find first log file name in binary log index file"),
    ).toEqual({
      code: "MYSQL_13114",
      message:
        "the source cannot serve the requested binlog (purged, bad coordinates, or server_id unset): Could not find first log file name in binary log index file",
      remedy: expect.stringMatching(/^Re-seed the replica from a new dump/),
      permanent: true,
    });
    expect(diagnoseReplicationError(2003, "Can't connect")).toMatchObject({
      message: "the replica cannot connect to the source: Can't connect",
      permanent: false,
    });
    expect(diagnoseReplicationError(13117, "").remedy).toMatch(/delete auto\.cnf on the source/);
  });

  it("passes an unknown error through as permanent, with the server's message alone", () => {
    expect(
      diagnoseReplicationError(1794, "Slave is not configured or failed to initialize properly"),
    ).toEqual({
      code: "MYSQL_1794",
      message: "Slave is not configured or failed to initialize properly",
      remedy: "See the MySQL error reference for this error number.",
      permanent: true,
    });
  });
});

describe("isPermanentReplicationError", () => {
  it("retries the network and a restarting source, not access, TLS, purged binlogs or drift", () => {
    for (const errno of [2003, 2005, 2013, 1040, 1053, 2002, 2006])
      expect(isPermanentReplicationError(errno)).toBe(false);
    for (const errno of [1045, 2026, 2061, 3201, 1236, 13114, 13117, 1062, 1032, 1146, 1068, 1075, 4109]) {
      expect(isPermanentReplicationError(errno)).toBe(true);
    }
  });

  it("counts an unknown error as permanent, and no error as none", () => {
    expect(isPermanentReplicationError(1794)).toBe(true);
    expect(isPermanentReplicationError(0)).toBe(false);
  });
});

/** An error as mysql2 raises it: an Error with code, errno and fatal set. */
function clientError(message: string, fields: { code?: string; errno?: number }): Error {
  return Object.assign(new Error(message), { fatal: true, ...fields });
}

describe("isTransientMysqlError", () => {
  it.each([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "EAI_AGAIN",
    "PROTOCOL_CONNECTION_LOST",
  ])("retries the client's %s", (code) => {
    expect(isTransientMysqlError(clientError(`connect ${code}`, { code }))).toBe(true);
  });

  it.each([
    [1040, "Too many connections"],
    [1053, "Server shutdown in progress"],
    [1205, "Lock wait timeout exceeded"],
    [1213, "Deadlock found"],
    [2013, "Lost connection to MySQL server during query"],
  ])("retries server error %i", (errno, message) => {
    expect(isTransientMysqlError(clientError(message, { code: "ER_X", errno }))).toBe(true);
  });

  it("retries a TLS handshake the network cut, but not a certificate the client refused", () => {
    expect(
      isTransientMysqlError(
        clientError("Client network socket disconnected before secure TLS connection was established", {
          code: "HANDSHAKE_SSL_ERROR",
        }),
      ),
    ).toBe(true);
    expect(
      isTransientMysqlError(
        clientError("self-signed certificate in certificate chain", { code: "HANDSHAKE_SSL_ERROR" }),
      ),
    ).toBe(false);
  });

  it("does not retry access denied, an unknown host, a syntax error or what is not an error object", () => {
    expect(
      isTransientMysqlError(
        clientError("Access denied for user 'repl'", { code: "ER_ACCESS_DENIED_ERROR", errno: 1045 }),
      ),
    ).toBe(false);
    expect(isTransientMysqlError(clientError("getaddrinfo ENOTFOUND db", { code: "ENOTFOUND" }))).toBe(false);
    expect(isTransientMysqlError(clientError("You have an error in your SQL syntax", { errno: 1064 }))).toBe(
      false,
    );
    expect(isTransientMysqlError("ECONNRESET")).toBe(false);
    expect(isTransientMysqlError(null)).toBe(false);
  });
});

describe("mysqlErrno", () => {
  it("reads a numeric errno and nothing else", () => {
    expect(mysqlErrno(clientError("Access denied", { errno: 1045 }))).toBe(1045);
    expect(mysqlErrno({ errno: "1045" })).toBeUndefined();
    expect(mysqlErrno(new Error("plain"))).toBeUndefined();
    expect(mysqlErrno(undefined)).toBeUndefined();
  });
});
