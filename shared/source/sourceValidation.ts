// Validates a source server for data-in replication: gathers the facts with a fixed number of queries, then runs every check of DOMAIN.md over them.
import { type CheckResult } from "../domain/checkResult";
import { type GatheredFacts } from "./gatheredFacts";
import { type SourceFacts } from "../domain/sourceFacts";
import { gatherFacts } from "./gatherFacts";
import { isOn } from "./isOn";
import { runSourceChecks } from "./runSourceChecks";
import { sourceCheckInput } from "./sourceCheckInput";
import { type SourceValidationInput } from "./sourceValidationInput";

export type { LinkingMethod } from "../domain/gtidChecks";
export type { SourceFacts } from "../domain/sourceFacts";

export interface SourceValidation {
  checks: CheckResult[];
  facts: SourceFacts;
  roundTrips: number;
}

/** What later steps (comparing with the replica, linking) need to know of the source. */
function reportedFacts(facts: GatheredFacts): SourceFacts {
  const none: SourceFacts = {
    resolvedIpv4: null,
    reachable: false,
    identity: null,
    serverId: null,
    lowerCaseTableNames: null,
    gtidMode: null,
    gtid: { gtidMode: null, enforceGtidConsistency: null, gtidExecuted: null, gtidPurged: null },
    currentCoordinates: null,
    mixedCaseTables: null,
    tablesWithoutPrimaryKey: null,
    invisiblePrimaryKeys: { generate: null, tables: null },
  };
  if (facts.stage === "addressRefused") return { ...none, resolvedIpv4: facts.address.resolvedIpv4 };
  if (facts.stage === "notConnected") {
    return {
      ...none,
      resolvedIpv4: facts.address.connectTo,
      reachable: facts.failure.kind !== "unreachable",
    };
  }
  const { variables, inspection } = facts;
  const inspected = inspection.state === "inspected" ? inspection : null;
  const gtidMode = variables.get("gtid_mode") ?? null;
  const generateInvisible = variables.get("sql_generate_invisible_primary_key");
  return {
    resolvedIpv4: facts.address.connectTo,
    reachable: true,
    identity: facts.identity,
    serverId: Number(variables.get("server_id") ?? "0"),
    lowerCaseTableNames: Number(variables.get("lower_case_table_names") ?? "0"),
    gtidMode,
    gtid: {
      gtidMode,
      enforceGtidConsistency: variables.get("enforce_gtid_consistency") ?? null,
      gtidExecuted: variables.get("gtid_executed") ?? null,
      gtidPurged: variables.get("gtid_purged") ?? null,
    },
    currentCoordinates: facts.currentCoordinates,
    mixedCaseTables: inspected?.mixedCaseTables ?? null,
    tablesWithoutPrimaryKey: inspected?.tablesWithoutPrimaryKey ?? null,
    invisiblePrimaryKeys: {
      generate: generateInvisible === undefined ? null : isOn(generateInvisible),
      tables: inspected?.invisibleKeyTables ?? null,
    },
  };
}

export async function validateSource(input: SourceValidationInput): Promise<SourceValidation> {
  const { facts, roundTrips } = await gatherFacts(input);
  return { checks: runSourceChecks(facts, sourceCheckInput(input)), facts: reportedFacts(facts), roundTrips };
}
