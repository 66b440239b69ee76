// What validation read from the source (address, connections, variables, grants, binary logs, schema): the only input of the checks.
import { type ServerIdentity } from "../mysql/mysqlSession";
import { type AddressJudgement } from "./sourceAddress";
import { type BinlogCoordinates, type TableList } from "../domain/sourceFacts";

/** How many offending tables (or foreign keys) a report names; the rest are counted. */
export const OFFENDER_LIST_LIMIT = 50;

/** Offending tables: the first ones by name (schema.table) and how many there are in all. */
export type { BinlogCoordinates, TableList } from "../domain/sourceFacts";

/** Why a connection to the source failed, classified from the client's error. */
export type ConnectFailure =
  /** The TLS handshake or the certificate failed. */
  | { kind: "tls"; text: string }
  /** The source requires a secure transport and the connection was plain. */
  | { kind: "tlsRequired"; text: string }
  | { kind: "accessDenied"; user: string }
  | { kind: "unreachable"; host: string; port: number; text: string }
  | { kind: "other"; user: string; text: string };

/** A foreign key whose two tables fall on different sides of the table filters. */
export interface SplitForeignKey {
  from: string;
  constraint: string;
  to: string;
  /** True when the referencing table (from) is the filtered one. */
  childIgnored: boolean;
}

/** The replication user's mysql.user rows, or why the inspection account could not read them. */
export type ReplicationAccounts = { rows: { plugin: string; sslType: string }[] } | { error: string };

export interface Inspected {
  state: "inspected";
  tablesWithoutPrimaryKey: TableList;
  tablesNotInnodb: TableList;
  /** Null when no table filter is given (nothing to split). */
  splitForeignKeys: SplitForeignKey[] | null;
  mixedCaseTables: TableList;
  /** Null on servers without generated invisible primary keys (before MySQL 8.0.30, MariaDB). */
  invisibleKeyTables: TableList | null;
  replicationAccounts: ReplicationAccounts;
}

export type Inspection =
  { state: "notGiven" } | { state: "connectFailed"; failure: ConnectFailure } | Inspected;

type AcceptedAddress = Exclude<AddressJudgement, { verdict: "fail" }>;

export interface ConnectedFacts {
  stage: "connected";
  address: AcceptedAddress;
  /** The replication user logged in only by a TLS probe without verification: the source insists on TLS. */
  tlsOnlyWithoutCa: boolean;
  /** Global variables by lower-case name; absent when the server does not have them. */
  variables: ReadonlyMap<string, string>;
  identity: ServerIdentity;
  /** SHOW GRANTS for the replication user, one line each. */
  grants: string[];
  inspection: Inspection;
  /** File name to size; null when nobody could (or needed to) list the binary logs. */
  binaryLogs: ReadonlyMap<string, number> | null;
  currentCoordinates: BinlogCoordinates | null;
}

export type GatheredFacts =
  | { stage: "addressRefused"; address: Extract<AddressJudgement, { verdict: "fail" }> }
  | { stage: "notConnected"; address: AcceptedAddress; failure: ConnectFailure }
  | ConnectedFacts;
