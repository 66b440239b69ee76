// The source's binary logs and current coordinates, in two queries; nulls when the account may not list them.
import {
  type MysqlSession,
  type ServerIdentity,
  binaryLogStatusStatement,
  cellText,
} from "../mysql/mysqlSession";
import { type BinlogCoordinates } from "./gatheredFacts";

export interface BinaryLogs {
  /** File name to size in bytes. */
  binaryLogs: Map<string, number> | null;
  currentCoordinates: BinlogCoordinates | null;
}

export async function readBinaryLogs(session: MysqlSession, identity: ServerIdentity): Promise<BinaryLogs> {
  try {
    const logs = await session.query("SHOW BINARY LOGS");
    const binaryLogs = new Map(logs.map((row) => [cellText(row.Log_name), Number(row.File_size)]));
    const [status] = await session.query(binaryLogStatusStatement(identity));
    const currentCoordinates =
      status && status.File ? { file: cellText(status.File), position: Number(status.Position) } : null;
    return { binaryLogs, currentCoordinates };
  } catch {
    return { binaryLogs: null, currentCoordinates: null };
  }
}
