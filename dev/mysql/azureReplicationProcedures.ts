// The mysql.az_replication_* stored procedures of Azure Database for MySQL, rebuilt on Oracle MySQL so a local replica is driven the Azure way.
import { type MysqlServer } from "./mysqlServer";

/** The seven procedures Azure documents; the tests and the app call exactly these. */
export const AZURE_REPLICATION_PROCEDURES = [
  "az_replication_change_master",
  "az_replication_change_master_with_gtid",
  "az_replication_start",
  "az_replication_stop",
  "az_replication_remove_master",
  "az_replication_skip_counter",
  "az_replication_skip_gtid_transaction",
] as const;

/**
 * The procedures run as this locked account (Azure's is also called azure_superuser): it holds the
 * replication-admin privileges the server admin lacks, and nobody can log in as it.
 */
const PROCEDURE_DEFINER = { user: "azure_superuser", host: "localhost" } as const;

/** ER_WRONG_ARGUMENTS: a parameter the procedure refuses (NULL, a port out of range, a malformed GTID). */
export const ERRNO_BAD_ARGUMENT = 1210;

const DEFINER = "`azure_superuser`@`localhost`";

// The routines keep the sql_mode of their creation: no NO_BACKSLASH_ESCAPES, or QUOTE()'s output would be misread.
const ROUTINE_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

/**
 * The internal helpers are SQL SECURITY INVOKER: called from the public DEFINER procedures they run with the
 * definer's rights, but the admin (who holds EXECUTE on every routine, as on Azure) calling one directly gets only
 * its own, so `az_replication_internal_run('SET GLOBAL ...')` is refused with 1227.
 *
 * Runs one statement text with PREPARE (MySQL has no EXECUTE IMMEDIATE). The text lives in a user variable
 * of the caller's session only while it runs: it holds the password, so it is cleared on every path.
 */
const RUN_STATEMENT = `CREATE PROCEDURE mysql.az_replication_internal_run(IN statement_text LONGTEXT CHARACTER SET utf8mb4)
  SQL SECURITY INVOKER
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    SET @az_replication_statement = NULL;
    RESIGNAL;
  END;
  SET @az_replication_statement = statement_text;
  PREPARE az_replication_prepared FROM @az_replication_statement;
  SET @az_replication_statement = NULL;
  EXECUTE az_replication_prepared;
  DEALLOCATE PREPARE az_replication_prepared;
END`;

const STATEMENTS: readonly string[] = [
  RUN_STATEMENT,

  `CREATE PROCEDURE mysql.az_replication_internal_check_arguments(
    IN master_host LONGTEXT CHARACTER SET utf8mb4, IN master_user LONGTEXT CHARACTER SET utf8mb4,
    IN master_password LONGTEXT CHARACTER SET utf8mb4, IN master_port BIGINT)
  SQL SECURITY INVOKER
BEGIN
  -- CHANGE REPLICATION SOURCE takes literals, so a NULL would become the text 'NULL' or a syntax error: refuse it.
  IF master_host IS NULL OR master_user IS NULL OR master_password IS NULL THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
      MESSAGE_TEXT = 'master_host, master_user and master_password must not be NULL';
  END IF;
  IF master_port IS NULL OR master_port < 1 OR master_port > 65535 THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT}, MESSAGE_TEXT = 'master_port must be between 1 and 65535';
  END IF;
END`,

  // SOURCE_SSL_CA takes a file name, while Azure takes the PEM text: write the PEM into the
  // secure_file_priv directory under a name derived from its hash, so that repeating a call reuses it.
  // With a CA and SOURCE_SSL_VERIFY_SERVER_CERT=0 the replica verifies the chain but not the host name (VERIFY_CA).
  `CREATE PROCEDURE mysql.az_replication_internal_ssl_clause(
    IN master_ssl_ca LONGTEXT CHARACTER SET utf8mb4, OUT clause TEXT CHARACTER SET utf8mb4)
  SQL SECURITY INVOKER
BEGIN
  DECLARE ca_file VARCHAR(1024) CHARACTER SET utf8mb4;
  -- 1086 (file exists): a concurrent call has just written the same PEM under the same name.
  DECLARE CONTINUE HANDLER FOR 1086 BEGIN END;
  IF master_ssl_ca IS NULL OR master_ssl_ca = '' THEN
    SET clause = ', SOURCE_SSL=0, SOURCE_SSL_CA='''', SOURCE_SSL_CAPATH='''', SOURCE_SSL_CERT='''', SOURCE_SSL_KEY='''', SOURCE_SSL_VERIFY_SERVER_CERT=0';
  ELSE
    IF @@GLOBAL.secure_file_priv IS NULL OR @@GLOBAL.secure_file_priv = '' THEN
      SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
        MESSAGE_TEXT = 'this server has no secure_file_priv directory to keep the CA certificate in';
    END IF;
    SET ca_file = CONCAT(TRIM(TRAILING '/' FROM @@GLOBAL.secure_file_priv), '/az-replication-ca-',
      SHA2(master_ssl_ca, 256), '.pem');
    IF LOAD_FILE(ca_file) IS NULL THEN
      CALL mysql.az_replication_internal_run(CONCAT('SELECT ', QUOTE(master_ssl_ca), ' INTO DUMPFILE ', QUOTE(ca_file)));
    END IF;
    SET clause = CONCAT(', SOURCE_SSL=1, SOURCE_SSL_CA=', QUOTE(ca_file),
      ', SOURCE_SSL_CAPATH='''', SOURCE_SSL_CERT='''', SOURCE_SSL_KEY='''', SOURCE_SSL_VERIFY_SERVER_CERT=0');
  END IF;
END`,

  // Every check beyond NULLs and the port is MySQL's own: CHANGE REPLICATION SOURCE refuses a running
  // receiver (13xxx), a password over 32 characters, a host over 255, as it would on Azure.
  `CREATE PROCEDURE mysql.az_replication_change_master(
    IN master_host LONGTEXT CHARACTER SET utf8mb4,
    IN master_user LONGTEXT CHARACTER SET utf8mb4,
    IN master_password LONGTEXT CHARACTER SET utf8mb4,
    IN master_port BIGINT,
    IN master_log_file LONGTEXT CHARACTER SET utf8mb4,
    IN master_log_pos BIGINT UNSIGNED,
    IN master_ssl_ca LONGTEXT CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
  COMMENT 'Binlog file/position link to the source; master_ssl_ca is PEM text or empty for no TLS.'
BEGIN
  DECLARE ssl_clause TEXT CHARACTER SET utf8mb4;
  CALL mysql.az_replication_internal_check_arguments(master_host, master_user, master_password, master_port);
  IF master_log_file IS NULL OR master_log_pos IS NULL THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT}, MESSAGE_TEXT = 'master_log_file and master_log_pos must not be NULL';
  END IF;
  CALL mysql.az_replication_internal_ssl_clause(master_ssl_ca, ssl_clause);
  CALL mysql.az_replication_internal_run(CONCAT('CHANGE REPLICATION SOURCE TO SOURCE_HOST=', QUOTE(master_host),
    ', SOURCE_PORT=', master_port,
    ', SOURCE_USER=', QUOTE(master_user),
    ', SOURCE_PASSWORD=', QUOTE(master_password),
    ', SOURCE_AUTO_POSITION=0',
    ', SOURCE_LOG_FILE=', QUOTE(master_log_file),
    ', SOURCE_LOG_POS=', master_log_pos, ssl_clause));
END`,

  // SOURCE_AUTO_POSITION=1 is refused by MySQL itself unless the replica's gtid_mode is ON (error 1777).
  `CREATE PROCEDURE mysql.az_replication_change_master_with_gtid(
    IN master_host LONGTEXT CHARACTER SET utf8mb4,
    IN master_user LONGTEXT CHARACTER SET utf8mb4,
    IN master_password LONGTEXT CHARACTER SET utf8mb4,
    IN master_port BIGINT,
    IN master_ssl_ca LONGTEXT CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
  COMMENT 'GTID link (SOURCE_AUTO_POSITION=1).'
BEGIN
  DECLARE ssl_clause TEXT CHARACTER SET utf8mb4;
  CALL mysql.az_replication_internal_check_arguments(master_host, master_user, master_password, master_port);
  CALL mysql.az_replication_internal_ssl_clause(master_ssl_ca, ssl_clause);
  CALL mysql.az_replication_internal_run(CONCAT('CHANGE REPLICATION SOURCE TO SOURCE_HOST=', QUOTE(master_host),
    ', SOURCE_PORT=', master_port,
    ', SOURCE_USER=', QUOTE(master_user),
    ', SOURCE_PASSWORD=', QUOTE(master_password),
    ', SOURCE_AUTO_POSITION=1', ssl_clause));
END`,

  `CREATE PROCEDURE mysql.az_replication_start()
  SQL SECURITY DEFINER
BEGIN
  START REPLICA;
END`,

  `CREATE PROCEDURE mysql.az_replication_stop()
  SQL SECURITY DEFINER
BEGIN
  STOP REPLICA;
END`,

  `CREATE PROCEDURE mysql.az_replication_remove_master()
  SQL SECURITY DEFINER
  COMMENT 'Stops replication and forgets the source (RESET REPLICA ALL).'
BEGIN
  STOP REPLICA;
  RESET REPLICA ALL;
END`,

  // What MySQL's own counter does: one event group for a file/position link. With GTIDs on, the server
  // decides (5.7 refuses the setting; 8.0+ skips the group and logs its GTID as applied).
  `CREATE PROCEDURE mysql.az_replication_skip_counter()
  SQL SECURITY DEFINER
  COMMENT 'Skips one event group (the failing transaction) and restarts the SQL thread.'
BEGIN
  STOP REPLICA SQL_THREAD;
  SET GLOBAL sql_replica_skip_counter = 1;
  START REPLICA SQL_THREAD;
END`,

  // MySQL's documented way to skip a GTID transaction: commit an empty transaction under its GTID.
  `CREATE PROCEDURE mysql.az_replication_skip_gtid_transaction(IN gtid VARCHAR(120) CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
  COMMENT 'Commits an empty transaction with this GTID (uuid:n), so the applier skips it, and restarts replication.'
BEGIN
  -- Whatever fails after STOP REPLICA, replication is given back as it was.
  DECLARE was_running BOOLEAN DEFAULT FALSE;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    SET SESSION gtid_next = 'AUTOMATIC';
    IF was_running THEN
      START REPLICA;
    END IF;
    RESIGNAL;
  END;
  IF gtid IS NULL OR gtid NOT REGEXP '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:[1-9][0-9]{0,18}$' THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
      MESSAGE_TEXT = 'gtid must be one MySQL GTID uuid:number (number from 1; not a set, a range or a tagged GTID)';
  END IF;
  IF @@GLOBAL.gtid_mode <> 'ON' THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
      MESSAGE_TEXT = 'skipping by GTID needs gtid_mode=ON on this server; use mysql.az_replication_skip_counter for a file/position link';
  END IF;
  SET was_running = EXISTS (SELECT 1 FROM performance_schema.replication_connection_status WHERE SERVICE_STATE = 'ON')
    OR EXISTS (SELECT 1 FROM performance_schema.replication_applier_status WHERE SERVICE_STATE = 'ON');
  STOP REPLICA;
  CALL mysql.az_replication_internal_run(CONCAT('SET SESSION gtid_next = ', QUOTE(gtid)));
  START TRANSACTION;
  COMMIT;
  SET SESSION gtid_next = 'AUTOMATIC';
  START REPLICA;
END`,
];

/** Privileges the definer needs: replication administration, the CA file, the skip counter and gtid_next. */
const DEFINER_PRIVILEGES = ["REPLICATION_SLAVE_ADMIN", "SYSTEM_VARIABLES_ADMIN", "REPLICATION_APPLIER"];

/**
 * Creates the definer account and the procedures (root only), and lets `admin` run the seven public ones.
 * `admin` is "user@host" as two values, bound as parameters.
 */
export async function installAzureReplicationProcedures(
  server: MysqlServer,
  admin: { user: string; host: string },
): Promise<void> {
  if (server.flavor !== "mysql" || server.binary.major < 8) {
    throw new Error("the Azure replication procedures need Oracle MySQL 8.0.23 or newer, as Azure runs");
  }
  const definer = [PROCEDURE_DEFINER.user, PROCEDURE_DEFINER.host];
  // A random password on a locked account: nobody logs in as it, it only owns the routines.
  await server.rootQuery("CREATE USER ?@? IDENTIFIED BY ? ACCOUNT LOCK", [
    ...definer,
    `${Math.random().toString(36)}${Math.random().toString(36)}`,
  ]);
  await server.rootQuery("GRANT FILE, RELOAD, REPLICATION CLIENT ON *.* TO ?@?", definer);
  await server.rootQuery(`GRANT ${DEFINER_PRIVILEGES.join(", ")} ON *.* TO ?@?`, definer);
  await server.rootQuery("GRANT EXECUTE ON mysql.* TO ?@?", definer);
  // skip_gtid_transaction reads whether replication runs, to give it back as it was on any failure.
  await server.rootQuery("GRANT SELECT ON performance_schema.* TO ?@?", definer);
  const connection = await server.rootConnection();
  try {
    await connection.query("SET SESSION sql_mode = ?", [ROUTINE_SQL_MODE]);
    for (const statement of STATEMENTS) {
      await connection.query(statement.replace("CREATE PROCEDURE", `CREATE DEFINER=${DEFINER} PROCEDURE`));
    }
  } finally {
    await connection.end();
  }
  for (const name of AZURE_REPLICATION_PROCEDURES) {
    await server.rootQuery(`GRANT EXECUTE ON PROCEDURE mysql.${name} TO ?@?`, [admin.user, admin.host]);
  }
}
