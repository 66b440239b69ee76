// Re-validation's real lag: a heartbeat row written on the source now, and how long until the replica has it.
import { setTimeout as sleep } from "node:timers/promises";
import { type LinkRecord } from "../registry/linkRegistry";
import { MysqlSession, cellText } from "../mysql/mysqlSession";
import { sourcePurpose } from "../secrets/secretBinding";
import { pinSourceAddress } from "../source/sourceAddress";
import { type RevalidationDependencies } from "./revalidationDependencies";
import { type RevalidationFindings } from "./revalidationFindings";

const ARRIVAL_WAIT_MS = 5_000;
const ARRIVAL_POLL_MS = 200;

function utcMillis(datetime: string): number {
  return new Date(`${datetime.replace(" ", "T")}Z`).getTime();
}

/** Writes the beat on the source and returns the UTC time it carries, as MySQL formats it. */
async function writeBeat(
  deps: RevalidationDependencies,
  record: LinkRecord,
  heartbeat: NonNullable<LinkRecord["heartbeat"]>,
  table: string,
  out: RevalidationFindings,
): Promise<string> {
  const password = await deps.secrets.resolve(
    heartbeat.writerPassword,
    sourcePurpose("heartbeat.writerPassword", "heartbeat-writer", record.source, heartbeat.writerUser),
  );
  out.secrets.push(password);
  const writer = await MysqlSession.open({
    host: await pinSourceAddress(
      record.source.host,
      deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
      out.vnetSubnet,
    ),
    port: record.source.port,
    user: heartbeat.writerUser,
    password,
    tls: record.source.caCertificate ? { ca: record.source.caCertificate } : false,
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  });
  try {
    await writer.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id TINYINT PRIMARY KEY, beat_at DATETIME(6) NOT NULL)`,
    );
    const [row] = await writer.query("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f') AS now");
    const written = cellText(row?.now);
    await writer.query(`REPLACE INTO ${table} (id, beat_at) VALUES (1, ?)`, [written]);
    return written;
  } finally {
    await writer.close();
  }
}

async function readBeat(replica: MysqlSession, table: string): Promise<string | null> {
  try {
    const [row] = await replica.query(
      `SELECT DATE_FORMAT(beat_at, '%Y-%m-%d %H:%i:%s.%f') AS beat FROM ${table} WHERE id = 1`,
    );
    return row?.beat ? cellText(row.beat) : null;
  } catch {
    return null;
  }
}

/** The lag in seconds, or null when the link has no heartbeat (or the replica has never seen a beat). */
export async function measureHeartbeat(
  deps: RevalidationDependencies,
  record: LinkRecord,
  replica: MysqlSession,
  out: RevalidationFindings,
): Promise<number | null> {
  if (!record.heartbeat) return null;
  const table = `\`${record.heartbeat.database}\`.\`replication_heartbeat\``;
  const written = await writeBeat(deps, record, record.heartbeat, table, out);
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  for (;;) {
    const seen = await readBeat(replica, table);
    if (seen === written) return Math.max(0, (Date.now() - utcMillis(written)) / 1000);
    // The new beat has not arrived: the lag is at least the age of the newest beat the replica has.
    if (Date.now() >= deadline) return seen ? (Date.now() - utcMillis(seen)) / 1000 : null;
    await sleep(ARRIVAL_POLL_MS);
  }
}
