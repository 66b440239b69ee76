// Fixtures of the initial-load tests: a load user, a source database of awkward shapes, a writer that never stops, and the checksum proof.
import { type MysqlServer } from "../../dev/mysql";
import { type LocalStack } from "../../dev/stack/localStack";

export const LOAD_DATABASES = ["loadtest", "loadextra"];

/** The inspection user becomes the load user: a consistent snapshot needs RELOAD, BACKUP_ADMIN, and reading every object. */
export async function grantLoadPrivileges(stack: LocalStack, extra = "BACKUP_ADMIN, "): Promise<void> {
  await stack.source.rootQuery(
    `GRANT RELOAD, ${extra}SHOW VIEW, TRIGGER, EVENT, SHOW_ROUTINE ON *.* TO ?@'%'`,
    [stack.inspectionUser],
  );
}

/** Tables with an integer key (split in ranges), a composite key, no key, JSON, BLOB, spatial, generated, FK; and every object kind. */
export async function createLoadData(
  source: MysqlServer,
  rows: number,
  options: { withoutKey?: boolean } = {},
): Promise<void> {
  const statements = [
    "CREATE DATABASE loadtest",
    "CREATE DATABASE loadextra",
    `CREATE TABLE loadtest.items (id BIGINT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, price DECIMAL(12,2), doc JSON,
       payload BLOB, flags BIT(8), created TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), f FLOAT, d DOUBLE,
       name_len INT AS (CHAR_LENGTH(name)) STORED, note TEXT CHARACTER SET latin1) ENGINE=InnoDB`,
    "CREATE TABLE loadtest.pairs (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, PRIMARY KEY (a, b)) ENGINE=InnoDB",
    // Validation fails a table without a primary key (PRIMARY_KEYS); the keyless streamed path is for direct use.
    options.withoutKey
      ? "CREATE TABLE loadtest.nokey (v INT, w VARCHAR(30)) ENGINE=InnoDB"
      : "CREATE TABLE loadtest.nokey (id INT PRIMARY KEY AUTO_INCREMENT, v INT, w VARCHAR(30)) ENGINE=InnoDB",
    "CREATE TABLE loadtest.places (id INT PRIMARY KEY, pos POINT NOT NULL SRID 0, SPATIAL INDEX (pos)) ENGINE=InnoDB",
    "CREATE TABLE loadtest.children (id INT PRIMARY KEY, item_id BIGINT NOT NULL, FOREIGN KEY (item_id) REFERENCES loadtest.items (id)) ENGINE=InnoDB",
    "CREATE TABLE loadtest.audit (id INT PRIMARY KEY AUTO_INCREMENT, item_id BIGINT, at DATETIME(6)) ENGINE=InnoDB",
    "CREATE TABLE loadextra.zero (id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB",
    // A zero in an AUTO_INCREMENT key: the copy must keep it (a plain INSERT of 0 would take the next value).
    "INSERT INTO loadextra.zero VALUES (5, 0), (1, 1)",
    "UPDATE loadextra.zero SET id = 0 WHERE id = 5",
    `CREATE TRIGGER loadtest.items_audit AFTER INSERT ON loadtest.items FOR EACH ROW
       INSERT INTO loadtest.audit (item_id, at) VALUES (NEW.id, NOW(6))`,
    "CREATE VIEW loadtest.cheap AS SELECT id, name FROM loadtest.items WHERE price < 10",
    "CREATE VIEW loadtest.cheap_names AS SELECT name FROM loadtest.cheap",
    "CREATE PROCEDURE loadtest.count_items(OUT n INT) SELECT COUNT(*) INTO n FROM loadtest.items",
    "CREATE EVENT loadtest.tick ON SCHEDULE EVERY 1 HOUR DO DELETE FROM loadtest.audit WHERE at < '2000-01-01'",
  ];
  const connection = await source.rootConnection();
  try {
    await connection.query("SET SESSION cte_max_recursion_depth = 100000000");
    for (const statement of statements) await connection.query(statement);
    await fillLoadData(connection, rows);
  } finally {
    await connection.end();
  }
}

async function fillLoadData(
  connection: Awaited<ReturnType<MysqlServer["rootConnection"]>>,
  rows: number,
): Promise<void> {
  await connection.query(
    `INSERT INTO loadtest.items (name, price, doc, payload, flags, f, d, note)
     WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     SELECT CONCAT('item-', n, IF(n % 7 = 0, ' ünïcødé ✓', '')), n / 3, JSON_OBJECT('n', n, 'tags', JSON_ARRAY('a', n % 5)),
            IF(n % 3 = 0, NULL, RANDOM_BYTES(1 + n % 200)), n % 256, n / 7, n / 11, IF(n % 5 = 0, 'café', NULL) FROM seq`,
    [rows],
  );
  await connection.query(
    `INSERT INTO loadtest.pairs WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     SELECT n % 97, CONCAT('k', n), n FROM seq`,
    [Math.ceil(rows / 2)],
  );
  await connection.query(
    `INSERT INTO loadtest.nokey (v, w) WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     SELECT n % 10, IF(n % 2 = 0, NULL, CONCAT('w', n)) FROM seq`,
    [Math.ceil(rows / 3)],
  );
  await connection.query(
    "INSERT INTO loadtest.places WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 500) SELECT n, POINT(n, n / 2) FROM seq",
  );
  await connection.query("INSERT INTO loadtest.children SELECT id, id FROM loadtest.items WHERE id % 10 = 0");
}

export interface Writer {
  /** Stops the writer; returns how many statements it committed. */
  stop(): Promise<number>;
}

/**
 * Writes on the source until stopped: inserts, updates and deletes across the loaded tables, each its own transaction.
 * A dropped connection (the source restarting) is reconnected; what counts is that every committed write reaches the
 * replica exactly once.
 */
export function startWriter(source: MysqlServer, pauseMs = 2): Writer {
  let running = true;
  let committed = 0;
  const loop = (async () => {
    let n = 0;
    while (running) {
      let connection;
      try {
        connection = await source.rootConnection();
        while (running) {
          n += 1;
          const id = 1 + ((n * 7919) % 5000);
          switch (n % 5) {
            case 0:
              await connection.query(
                "INSERT INTO loadtest.items (name, price, doc) VALUES (?, ?, JSON_OBJECT('w', ?))",
                [`w-${n}`, n % 50, n],
              );
              break;
            case 1:
              await connection.query(
                "UPDATE loadtest.items SET price = price + 1, doc = JSON_SET(doc, '$.u', ?) WHERE id = ?",
                [n, id],
              );
              break;
            case 2:
              await connection.query("DELETE FROM loadtest.pairs WHERE a = ? AND b = ?", [id % 97, `k${id}`]);
              break;
            case 3:
              await connection.query("INSERT INTO loadtest.nokey (v, w) VALUES (?, ?)", [n, `n${n}`]);
              break;
            default:
              await connection.query("UPDATE loadextra.zero SET v = v + 1 WHERE id = 0");
          }
          committed += 1;
          if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await connection?.end().catch(() => undefined);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return committed;
    },
  };
}

/** Waits until the replica has applied everything the source has written so far. */
export async function waitForCatchUp(stack: LocalStack, timeoutMs = 60_000): Promise<void> {
  const target = await stack.source.binlogStatus();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [status] = await stack.replica.rootQuery<{
      Relay_Source_Log_File: string;
      Exec_Source_Log_Pos: number;
      Last_SQL_Error: string;
    }>("SHOW REPLICA STATUS");
    if (status?.Last_SQL_Error) throw new Error(`replica SQL error: ${status.Last_SQL_Error}`);
    if (
      status &&
      target &&
      status.Relay_Source_Log_File === target.file &&
      Number(status.Exec_Source_Log_Pos) >= target.position
    )
      return;
    if (Date.now() > deadline) throw new Error(`the replica did not catch up: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CHECKSUM TABLE of every base table of the databases, on both sides: equal means nothing lost or applied twice. */
export async function checksums(
  server: MysqlServer,
  databases: readonly string[],
): Promise<Record<string, string>> {
  const tables = await server.rootQuery<{ s: string; t: string }>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${databases.map(() => "?").join(",")}) ORDER BY 1, 2`,
    databases,
  );
  const result: Record<string, string> = {};
  for (const { s, t } of tables) {
    const [row] = await server.rootQuery<{ Checksum: unknown }>(`CHECKSUM TABLE \`${s}\`.\`${t}\``);
    const [count] = await server.rootQuery<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${s}\`.\`${t}\``);
    result[`${s}.${t}`] = `${String(row?.Checksum)}/${count?.n}`;
  }
  return result;
}

export function loadRequest(stack: LocalStack, initialLoad: Record<string, unknown> = {}) {
  return {
    ...stack.exampleRequest(),
    initialLoad: { databases: LOAD_DATABASES, parallelism: 3, ...initialLoad },
  };
}
