// The mysql.az_replication_* stored procedures of Azure Database for MySQL, rebuilt for MariaDB so a local replica is driven the Azure way.
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
export const PROCEDURE_DEFINER = { user: "azure_superuser", host: "localhost" } as const;

/** MariaDB's ER_SLAVE_MUST_STOP: the number CHANGE MASTER itself uses for "stop replication first". */
export const ERRNO_REPLICATION_RUNNING = 1198;
/** ER_WRONG_ARGUMENTS: a parameter the procedure refuses (NULL, bad port, a byte the server cannot store). */
export const ERRNO_BAD_ARGUMENT = 1210;

const DEFINER = "`azure_superuser`@`localhost`";

// The routines keep the sql_mode of their creation: no NO_BACKSLASH_ESCAPES, or QUOTE()'s output would be misread.
const ROUTINE_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

const STATEMENTS: readonly string[] = [
  `CREATE PROCEDURE mysql.az_replication_internal_require_stopped()
  SQL SECURITY DEFINER
  COMMENT 'Azure refuses to relink while replication threads run; so do we.'
BEGIN
  IF (SELECT CAST(VARIABLE_VALUE AS UNSIGNED) FROM information_schema.GLOBAL_STATUS
      WHERE VARIABLE_NAME = 'SLAVES_RUNNING') > 0 THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_REPLICATION_RUNNING},
      MESSAGE_TEXT = 'Replication is running: call mysql.az_replication_stop() before changing the source';
  END IF;
END`,

  // master.info is a line-per-field text file of utf8mb3 C strings: NUL truncates, LF shifts every
  // later field, and characters outside the BMP become '?'. Refuse them rather than store something else.
  `CREATE PROCEDURE mysql.az_replication_internal_check_text(
    IN param_name VARCHAR(64), IN param_value LONGTEXT CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
BEGIN
  DECLARE message VARCHAR(128);
  IF param_value IS NULL THEN
    SET message = CONCAT(param_name, ' must not be NULL');
  ELSEIF LOCATE(CHAR(0 USING utf8mb4), param_value) > 0 OR LOCATE(CHAR(10 USING utf8mb4), param_value) > 0 THEN
    SET message = CONCAT(param_name, ' contains a NUL or line feed, which the server cannot store');
  ELSEIF CAST(CONVERT(param_value USING utf8mb3) AS BINARY) <> CAST(param_value AS BINARY) THEN
    SET message = CONCAT(param_name, ' contains characters outside the Basic Multilingual Plane (e.g. emoji), which the server cannot store');
  END IF;
  IF message IS NOT NULL THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT}, MESSAGE_TEXT = message;
  END IF;
END`,

  `CREATE PROCEDURE mysql.az_replication_internal_check_port(IN master_port BIGINT)
  SQL SECURITY DEFINER
BEGIN
  IF master_port IS NULL OR master_port < 1 OR master_port > 65535 THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT}, MESSAGE_TEXT = 'master_port must be between 1 and 65535';
  END IF;
END`,

  // MASTER_SSL_CA takes a file name, while Azure takes the PEM text: write the PEM into the
  // secure_file_priv directory under a name derived from its hash, so that repeating a call reuses it.
  `CREATE PROCEDURE mysql.az_replication_internal_ssl_clause(
    IN master_ssl_ca LONGTEXT CHARACTER SET utf8mb4, OUT clause TEXT CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
BEGIN
  DECLARE ca_file VARCHAR(1024) CHARACTER SET utf8mb4;
  -- 1086 (file exists): a concurrent call has just written the same PEM under the same name.
  DECLARE CONTINUE HANDLER FOR 1086 BEGIN END;
  IF master_ssl_ca IS NULL OR master_ssl_ca = '' THEN
    SET clause = ', MASTER_SSL=0, MASTER_SSL_CA='''', MASTER_SSL_CAPATH='''', MASTER_SSL_CERT='''', MASTER_SSL_KEY='''', MASTER_SSL_VERIFY_SERVER_CERT=0';
  ELSE
    IF @@GLOBAL.secure_file_priv IS NULL OR @@GLOBAL.secure_file_priv = '' THEN
      SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
        MESSAGE_TEXT = 'this server has no secure_file_priv directory to keep the CA certificate in';
    END IF;
    SET ca_file = CONCAT(TRIM(TRAILING '/' FROM @@GLOBAL.secure_file_priv), '/az-replication-ca-',
      SHA2(master_ssl_ca, 256), '.pem');
    IF LOAD_FILE(ca_file) IS NULL THEN
      EXECUTE IMMEDIATE CONCAT('SELECT ? INTO DUMPFILE ', QUOTE(ca_file)) USING master_ssl_ca;
    END IF;
    SET clause = CONCAT(', MASTER_SSL=1, MASTER_SSL_CA=', QUOTE(ca_file),
      ', MASTER_SSL_CAPATH='''', MASTER_SSL_CERT='''', MASTER_SSL_KEY='''', MASTER_SSL_VERIFY_SERVER_CERT=0');
  END IF;
END`,

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
  CALL mysql.az_replication_internal_require_stopped();
  CALL mysql.az_replication_internal_check_text('master_host', master_host);
  CALL mysql.az_replication_internal_check_text('master_user', master_user);
  CALL mysql.az_replication_internal_check_text('master_password', master_password);
  CALL mysql.az_replication_internal_check_text('master_log_file', master_log_file);
  CALL mysql.az_replication_internal_check_port(master_port);
  IF master_log_pos IS NULL THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT}, MESSAGE_TEXT = 'master_log_pos must not be NULL';
  END IF;
  CALL mysql.az_replication_internal_ssl_clause(master_ssl_ca, ssl_clause);
  -- CHANGE MASTER takes literals only, so it is built as text; QUOTE() escapes quotes, backslashes, NUL and ^Z.
  EXECUTE IMMEDIATE CONCAT('CHANGE MASTER '''' TO MASTER_HOST=', QUOTE(master_host),
    ', MASTER_PORT=', master_port,
    ', MASTER_USER=', QUOTE(master_user),
    ', MASTER_PASSWORD=', QUOTE(master_password),
    ', MASTER_LOG_FILE=', QUOTE(master_log_file),
    ', MASTER_LOG_POS=', master_log_pos,
    ', MASTER_USE_GTID=no', ssl_clause);
END`,

  `CREATE PROCEDURE mysql.az_replication_change_master_with_gtid(
    IN master_host LONGTEXT CHARACTER SET utf8mb4,
    IN master_user LONGTEXT CHARACTER SET utf8mb4,
    IN master_password LONGTEXT CHARACTER SET utf8mb4,
    IN master_port BIGINT,
    IN master_ssl_ca LONGTEXT CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
  COMMENT 'GTID link: MySQL SOURCE_AUTO_POSITION=1 maps to MariaDB MASTER_USE_GTID=slave_pos.'
BEGIN
  DECLARE ssl_clause TEXT CHARACTER SET utf8mb4;
  CALL mysql.az_replication_internal_require_stopped();
  CALL mysql.az_replication_internal_check_text('master_host', master_host);
  CALL mysql.az_replication_internal_check_text('master_user', master_user);
  CALL mysql.az_replication_internal_check_text('master_password', master_password);
  CALL mysql.az_replication_internal_check_port(master_port);
  CALL mysql.az_replication_internal_ssl_clause(master_ssl_ca, ssl_clause);
  EXECUTE IMMEDIATE CONCAT('CHANGE MASTER '''' TO MASTER_HOST=', QUOTE(master_host),
    ', MASTER_PORT=', master_port,
    ', MASTER_USER=', QUOTE(master_user),
    ', MASTER_PASSWORD=', QUOTE(master_password),
    ', MASTER_USE_GTID=slave_pos', ssl_clause);
END`,

  `CREATE PROCEDURE mysql.az_replication_start()
  SQL SECURITY DEFINER
BEGIN
  START SLAVE '';
END`,

  `CREATE PROCEDURE mysql.az_replication_stop()
  SQL SECURITY DEFINER
BEGIN
  STOP SLAVE '';
END`,

  `CREATE PROCEDURE mysql.az_replication_remove_master()
  SQL SECURITY DEFINER
  COMMENT 'Stops replication and forgets the source (RESET SLAVE ALL).'
BEGIN
  STOP SLAVE '';
  RESET SLAVE '' ALL;
END`,

  // sql_slave_skip_counter belongs to the session's default_master_connection: point it at the
  // default link for the call and give the caller's setting back afterwards, also on error.
  `CREATE PROCEDURE mysql.az_replication_skip_counter()
  SQL SECURITY DEFINER
  COMMENT 'Skips one event group (the failing transaction) and restarts the SQL thread.'
BEGIN
  DECLARE saved_connection VARCHAR(256) CHARACTER SET utf8mb4 DEFAULT @@SESSION.default_master_connection;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    SET SESSION default_master_connection = saved_connection;
    RESIGNAL;
  END;
  SET SESSION default_master_connection = '';
  STOP SLAVE '' SQL_THREAD;
  SET GLOBAL sql_slave_skip_counter = 1;
  START SLAVE '' SQL_THREAD;
  SET SESSION default_master_connection = saved_connection;
END`,

  // MySQL commits an empty transaction under the GTID. MariaDB has no gtid_next; the closest is to
  // move gtid_slave_pos for the GTID's domain to that GTID, which skips it (and, if it is not the
  // next one, everything before it in that domain). Only meaningful with MASTER_USE_GTID=slave_pos.
  `CREATE PROCEDURE mysql.az_replication_skip_gtid_transaction(IN gtid VARCHAR(80) CHARACTER SET utf8mb4)
  SQL SECURITY DEFINER
  COMMENT 'MariaDB emulation: sets gtid_slave_pos for the domain to this GTID, then restarts replication.'
BEGIN
  DECLARE domain_part VARCHAR(20);
  DECLARE seq_no BIGINT UNSIGNED;
  DECLARE rest, new_pos TEXT CHARACTER SET utf8mb4;
  DECLARE entry VARCHAR(80) CHARACTER SET utf8mb4;
  DECLARE already_applied BOOLEAN DEFAULT FALSE;
  IF gtid IS NULL OR gtid NOT REGEXP '^[0-9]{1,10}-[0-9]{1,10}-[0-9]{1,20}$' THEN
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
      MESSAGE_TEXT = 'gtid must be a MariaDB GTID domain-server-sequence, e.g. 0-1-42';
  END IF;
  SET domain_part = SUBSTRING_INDEX(gtid, '-', 1);
  SET seq_no = CAST(SUBSTRING_INDEX(gtid, '-', -1) AS UNSIGNED);
  STOP SLAVE '';
  SET rest = @@GLOBAL.gtid_slave_pos, new_pos = '';
  WHILE rest <> '' DO
    SET entry = TRIM(SUBSTRING_INDEX(rest, ',', 1));
    SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '');
    IF SUBSTRING_INDEX(entry, '-', 1) = domain_part THEN
      IF CAST(SUBSTRING_INDEX(entry, '-', -1) AS UNSIGNED) >= seq_no THEN
        SET already_applied = TRUE;
      END IF;
    ELSEIF entry <> '' THEN
      SET new_pos = IF(new_pos = '', entry, CONCAT(new_pos, ',', entry));
    END IF;
  END WHILE;
  IF already_applied THEN
    START SLAVE '';
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${ERRNO_BAD_ARGUMENT},
      MESSAGE_TEXT = 'this GTID has already been applied (gtid_slave_pos is at or past it)';
  END IF;
  SET GLOBAL gtid_slave_pos = IF(new_pos = '', gtid, CONCAT(new_pos, ',', gtid));
  START SLAVE '';
END`,
];

/**
 * Creates the definer account and the procedures (root only), and lets `admin` run the seven public ones.
 * `admin` is "user@host" as two values, bound as parameters.
 */
export async function installAzureReplicationProcedures(
  server: MysqlServer,
  admin: { user: string; host: string },
): Promise<void> {
  if (server.flavor !== "mariadb") {
    throw new Error("the Azure replication procedures are implemented for MariaDB only");
  }
  const definer = [PROCEDURE_DEFINER.user, PROCEDURE_DEFINER.host];
  // A random password on a locked account: nobody logs in as it, it only owns the routines.
  await server.rootQuery("CREATE USER ?@? IDENTIFIED BY ? ACCOUNT LOCK", [
    ...definer,
    `${Math.random().toString(36)}${Math.random().toString(36)}`,
  ]);
  // RELOAD: RESET SLAVE needs it.
  await server.rootQuery(
    "GRANT SUPER, REPLICATION SLAVE ADMIN, SLAVE MONITOR, BINLOG ADMIN, FILE, RELOAD ON *.* TO ?@?",
    definer,
  );
  await server.rootQuery("GRANT EXECUTE ON mysql.* TO ?@?", definer);
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
