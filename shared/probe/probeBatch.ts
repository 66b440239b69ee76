// One probe batch: a range of registered links, each asked once over one session, classified, and recorded only when it changed.
import type { TableClient } from "@azure/data-tables";
import { type AppConfig } from "../config/appConfig";
import { type LinkRecord, REGISTRY_PARTITION, linkRecordFromEntity } from "../registry/linkRegistry";
import { type ReplicaManager, type ReplicaTarget } from "../replica/replicaManager";
import { replicaEndpoint } from "../replica/replicaSql";
import { MysqlSession, parseServerIdentity, readServerIdentity } from "../mysql/mysqlSession";
import { replicaAdminPurpose } from "../secrets/secretBinding";
import { type SecretResolver, redactSecrets } from "../secrets/secretResolver";
import { type AlertWebhook } from "./alertWebhook";
import {
  type LinkProbeState,
  type ProbeState,
  classifyReading,
  transitionKey,
  unreachable,
} from "./linkProbeState";
import { readProbe } from "./probeQuery";
import { type CurrentProbeRecord, type ProbeStore, SAMPLE_WRITES, TRANSITION_WRITES } from "./probeStore";
import { type ProbeTelemetry } from "./probeTelemetry";

export interface ProbeBatchInput {
  /** First and last registry id of the batch, inclusive (ids sort as the orchestrator's list made the batches). */
  from: string;
  to: string;
  /** The pass's time (the orchestrator's clock): every record of the pass carries it. */
  probedAt: string;
}

export interface ProbeBatchResult {
  probed: number;
  /** SQL round trips to replicas (connection handshakes not counted). */
  roundTrips: number;
  /** Table storage writes (transitions, samples). */
  writes: number;
  states: Record<ProbeState, number>;
  transitions: { id: string; from: ProbeState | null; to: ProbeState; errno: number | null }[];
}

export interface ProbeDependencies {
  config: Pick<
    AppConfig,
    | "REPLICA_ADDRESS_OVERRIDES"
    | "REPLICA_TLS_CA_FILE"
    | "MYSQL_CONNECT_TIMEOUT_SECONDS"
    | "HEALTH_PROBE_CONCURRENCY"
    | "HEALTH_PROBE_LAG_THRESHOLD_SECONDS"
    | "HEALTH_PROBE_SAMPLE_INTERVAL_SECONDS"
  >;
  secrets: SecretResolver;
  replicaManager(target: ReplicaTarget): ReplicaManager;
  registryTable: TableClient;
  store: ProbeStore;
  telemetry: ProbeTelemetry;
  webhook: AlertWebhook | null;
}

/** Active links with ids in [from, to], in one range query of the registry table. */
async function activeLinksInRange(table: TableClient, from: string, to: string): Promise<LinkRecord[]> {
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const links: LinkRecord[] = [];
  for await (const entity of table.listEntities({
    queryOptions: {
      filter: `PartitionKey eq '${REGISTRY_PARTITION}' and RowKey ge ${quote(from)} and RowKey le ${quote(to)}`,
    },
  })) {
    const record = linkRecordFromEntity(entity);
    if (record.state === "replicating") links.push(record);
  }
  return links;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}

function sampleDue(
  previous: CurrentProbeRecord | null,
  state: LinkProbeState,
  at: string,
  intervalSeconds: number,
) {
  if (state.lagSeconds === null) return false;
  if (!previous?.lastSampleAt) return true;
  const elapsedSeconds = (new Date(at).getTime() - new Date(previous.lastSampleAt).getTime()) / 1000;
  // Storage grows with events: an unchanged lag is not written again, the chart draws it as a step.
  return elapsedSeconds >= intervalSeconds && state.lagSeconds !== previous.lastSampleLagSeconds;
}

export async function probeBatch(deps: ProbeDependencies, input: ProbeBatchInput): Promise<ProbeBatchResult> {
  const [links, current] = await Promise.all([
    activeLinksInRange(deps.registryTable, input.from, input.to),
    deps.store.currentRange(input.from, input.to),
  ]);
  const result: ProbeBatchResult = {
    probed: 0,
    roundTrips: 0,
    writes: 0,
    states: { healthy: 0, lagging: 0, broken: 0, unreachable: 0 },
    transitions: [],
  };
  // The admin password of each replica, resolved once for this batch and forgotten with it.
  const passwords = new Map<string, Promise<string>>();
  const resolved: string[] = [];
  const adminPassword = (record: LinkRecord): Promise<string> => {
    const purpose = replicaAdminPurpose(record.replica);
    const key = `${JSON.stringify(record.replica.adminPassword)}|${purpose.destination.toLowerCase()}`;
    let password = passwords.get(key);
    if (!password) {
      password = deps.secrets.resolve(record.replica.adminPassword, purpose).then((value) => {
        resolved.push(value);
        return value;
      });
      passwords.set(key, password);
    }
    return password;
  };

  async function probeOne(record: LinkRecord): Promise<LinkProbeState> {
    try {
      const password = await adminPassword(record);
      const login = deps.replicaManager(record.replica).adminLogin(record.replica.adminUser);
      const session = await MysqlSession.open({
        ...replicaEndpoint(deps.config, record.replicaFqdn, login, password),
        multipleStatements: true,
      });
      try {
        const version = session.handshakeServerVersion();
        const identity = version ? parseServerIdentity(version, "") : await readServerIdentity(session);
        const reading = await readProbe(session, identity, record.heartbeat);
        result.roundTrips += session.roundTrips;
        const state = classifyReading(reading, deps.config.HEALTH_PROBE_LAG_THRESHOLD_SECONDS);
        const redact = (text: string | null) => (text === null ? null : redactSecrets(text, resolved));
        return { ...state, error: redact(state.error), diagnosis: redact(state.diagnosis) };
      } finally {
        await session.close();
      }
    } catch (error) {
      return unreachable(error, (text) => redactSecrets(text, resolved));
    }
  }

  await eachLimited(links, deps.config.HEALTH_PROBE_CONCURRENCY, async (record) => {
    const state = await probeOne(record);
    result.probed += 1;
    result.states[state.state] += 1;
    const previous = current.get(record.id) ?? null;
    if (!previous || transitionKey(previous) !== transitionKey(state)) {
      const transition = {
        ...state,
        id: record.id,
        serverName: record.replica.serverName,
        at: input.probedAt,
        from: previous?.state ?? null,
      };
      await deps.store.recordTransition(transition, previous);
      result.writes += TRANSITION_WRITES;
      deps.telemetry.transition(transition);
      deps.webhook?.send(transition);
      result.transitions.push({ id: record.id, from: transition.from, to: state.state, errno: state.errno });
    }
    if (state.lagSeconds !== null) {
      deps.telemetry.lag({
        id: record.id,
        serverName: record.replica.serverName,
        state: state.state,
        lagSeconds: state.lagSeconds,
      });
    }
    if (sampleDue(previous, state, input.probedAt, deps.config.HEALTH_PROBE_SAMPLE_INTERVAL_SECONDS)) {
      await deps.store.recordSample(record.id, { at: input.probedAt, lagSeconds: state.lagSeconds });
      result.writes += SAMPLE_WRITES;
    }
  });
  await deps.telemetry.flush();
  return result;
}
