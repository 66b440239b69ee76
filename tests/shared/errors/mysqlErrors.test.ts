// Diagnoses and remedies: authentication by the source's version, and the invisible-primary-key errors with Azure's fix.
import { authPluginRemedy, diagnoseReplicationError } from "../../../shared/errors/mysqlErrors";

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
