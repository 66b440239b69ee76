// What validation learnt of the source, as the rules that compare it with the replica read it (gathered by shared/source).
import { type SourceGtidFacts } from "./gtidChecks";
import { type ServerIdentity } from "./serverIdentity";

export interface TableList {
  names: string[];
  total: number;
}

export interface BinlogCoordinates {
  file: string;
  position: number;
}

export interface SourceFacts {
  resolvedIpv4: string | null;
  reachable: boolean;
  identity: ServerIdentity | null;
  serverId: number | null;
  lowerCaseTableNames: number | null;
  gtidMode: string | null;
  /** Everything GTID linking needs to know about the source. */
  gtid: SourceGtidFacts;
  currentCoordinates: BinlogCoordinates | null;
  /** Tables whose schema or name has upper-case letters; null when no inspection account could look. */
  mixedCaseTables: TableList | null;
  /** Base tables without a primary key; null when no inspection account could look. */
  tablesWithoutPrimaryKey: TableList | null;
  /** The source's sql_generate_invisible_primary_key (MySQL 8.0.30+), and its tables that have a generated one. */
  invisiblePrimaryKeys: { generate: boolean | null; tables: TableList | null };
}
