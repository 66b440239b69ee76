// The probe's records in Table storage: each link's current state, its transitions and its lag samples; written on change only.
import type { TableClient } from "@azure/data-tables";
import { ensureTable } from "../registry/linkRegistry";
import { type LinkProbeState, type ProbeState } from "./linkProbeState";

const CURRENT = "current";

/** A link's last recorded state: what the next pass compares with. */
export interface CurrentProbeRecord extends LinkProbeState {
  id: string;
  serverName: string;
  /** When this state began (the transition's time). */
  since: string;
  lastSampleAt: string | null;
  lastSampleLagSeconds: number | null;
}

export interface ProbeTransition extends LinkProbeState {
  id: string;
  serverName: string;
  at: string;
  from: ProbeState | null;
}

interface LagSample {
  at: string;
  lagSeconds: number | null;
}

export interface ProbeStore {
  /** Current records of ids in [from, to] (registry ids sort like the batches the orchestrator made). */
  currentRange(from: string, to: string): Promise<Map<string, CurrentProbeRecord>>;
  currentAll(): Promise<CurrentProbeRecord[]>;
  /** Two writes: the event row and the current row. */
  recordTransition(transition: ProbeTransition, previous: CurrentProbeRecord | null): Promise<void>;
  /** Two writes: the sample row and the current row's sample fields. */
  recordSample(id: string, sample: LagSample): Promise<void>;
  transitions(id: string, count: number): Promise<ProbeTransition[]>;
  samples(id: string, count: number): Promise<LagSample[]>;
}

/** Table storage writes of one recorded transition (event row, current row) and of one lag sample (sample row, current row). */
export const TRANSITION_WRITES = 2;
export const SAMPLE_WRITES = 2;

/** Newest first within a link's partition: inverted epoch milliseconds, plus a tie-breaker. */
function eventKey(prefix: string, at: string, sequence: number): string {
  const inverted = 9_999_999_999_999 - new Date(at).getTime();
  return `${prefix}-${String(inverted).padStart(13, "0")}-${String(999_999 - sequence).padStart(6, "0")}`;
}

function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

type Entity = Record<string, unknown>;

function withoutNulls(values: Record<string, unknown>): Entity {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== null && value !== undefined),
  );
}

const text = (entity: Entity, key: string): string | null =>
  typeof entity[key] === "string" ? entity[key] : null;
const num = (entity: Entity, key: string): number | null =>
  typeof entity[key] === "number" ? entity[key] : null;

function stateOf(entity: Entity): LinkProbeState {
  return {
    state: (text(entity, "state") ?? "unreachable") as ProbeState,
    thread: text(entity, "thread") as LinkProbeState["thread"],
    errno: num(entity, "errno"),
    error: text(entity, "error"),
    diagnosis: text(entity, "diagnosis"),
    remedy: text(entity, "remedy"),
    lagSeconds: num(entity, "lagSeconds"),
    heartbeatAgeSeconds: num(entity, "heartbeatAgeSeconds"),
  };
}

function stateFields(state: LinkProbeState): Entity {
  return {
    state: state.state,
    thread: state.thread,
    errno: state.errno,
    error: state.error,
    diagnosis: state.diagnosis,
    remedy: state.remedy,
    lagSeconds: state.lagSeconds,
    heartbeatAgeSeconds: state.heartbeatAgeSeconds,
  };
}

function currentOf(entity: Entity): CurrentProbeRecord {
  return {
    ...stateOf(entity),
    id: String(entity.rowKey),
    serverName: text(entity, "serverName") ?? "",
    since: text(entity, "since") ?? "",
    lastSampleAt: text(entity, "lastSampleAt"),
    lastSampleLagSeconds: num(entity, "lastSampleLagSeconds"),
  };
}

export function createProbeStore(client: TableClient): ProbeStore {
  const ready = ensureTable(client);
  let sequence = 0;
  const next = () => {
    sequence = (sequence + 1) % 1_000_000;
    return sequence;
  };
  const query = async (filter: string, limit = Infinity): Promise<Entity[]> => {
    await ready();
    const rows: Entity[] = [];
    for await (const entity of client.listEntities<Entity>({ queryOptions: { filter } })) {
      rows.push(entity);
      if (rows.length >= limit) break;
    }
    return rows;
  };
  return {
    async currentRange(from, to) {
      const rows = await query(
        `PartitionKey eq '${CURRENT}' and RowKey ge ${odataString(from)} and RowKey le ${odataString(to)}`,
      );
      return new Map(rows.map((row) => [String(row.rowKey), currentOf(row)]));
    },
    async currentAll() {
      return (await query(`PartitionKey eq '${CURRENT}'`)).map(currentOf);
    },
    async recordTransition(transition, previous) {
      await ready();
      // The event first: a crash between the two writes repeats the event on the next pass rather than losing it.
      await client.createEntity({
        partitionKey: transition.id,
        rowKey: eventKey("t", transition.at, next()),
        ...withoutNulls({
          kind: "transition",
          at: transition.at,
          from: transition.from,
          serverName: transition.serverName,
          ...stateFields(transition),
        }),
      });
      await client.upsertEntity(
        {
          partitionKey: CURRENT,
          rowKey: transition.id,
          ...withoutNulls({
            serverName: transition.serverName,
            since: transition.at,
            ...stateFields(transition),
            lastSampleAt: previous?.lastSampleAt ?? null,
            lastSampleLagSeconds: previous?.lastSampleLagSeconds ?? null,
          }),
        },
        "Replace",
      );
    },
    async recordSample(id, sample) {
      await ready();
      await client.createEntity({
        partitionKey: id,
        rowKey: eventKey("s", sample.at, next()),
        ...withoutNulls({ kind: "sample", at: sample.at, lagSeconds: sample.lagSeconds }),
      });
      await client.upsertEntity(
        {
          partitionKey: CURRENT,
          rowKey: id,
          ...withoutNulls({ lastSampleAt: sample.at, lastSampleLagSeconds: sample.lagSeconds }),
        },
        "Merge",
      );
    },
    async transitions(id, count) {
      const rows = await query(
        `PartitionKey eq ${odataString(id)} and RowKey ge 't-' and RowKey lt 't.'`,
        count,
      );
      return rows.map((row) => ({
        ...stateOf(row),
        id,
        serverName: text(row, "serverName") ?? "",
        at: text(row, "at") ?? "",
        from: text(row, "from") as ProbeState | null,
      }));
    },
    async samples(id, count) {
      const rows = await query(
        `PartitionKey eq ${odataString(id)} and RowKey ge 's-' and RowKey lt 's.'`,
        count,
      );
      return rows.map((row) => ({ at: text(row, "at") ?? "", lagSeconds: num(row, "lagSeconds") }));
    },
  };
}
