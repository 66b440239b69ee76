// What an initial load is asked to do, what it plans, and what it reports: shared by the request, the workflow and the copy.
import { z } from "zod";

type ExistingTablesPolicy = "refuse" | "replace";

export interface InitialLoadSpec {
  /** "all": every schema but the system ones. */
  databases: "all" | string[];
  /** Copying connections on each side (1-16). */
  parallelism: number;
  /** What to do when a database to load already has tables on the replica. */
  existingTables: ExistingTablesPolicy;
}

/** How the snapshot is taken, chosen from the source's version and the load user's privileges. */
export type SnapshotMethod = "backupLockAndReadLock" | "readLock";

export interface LoadPlan {
  databases: string[];
  /** Databases that exist on the replica before the load (kept on undo in refuse mode, only their loaded objects go). */
  preExisting: string[];
  tables: number;
  estimatedRows: number;
  estimatedBytes: number;
  method: SnapshotMethod;
}

export interface LoadCoordinates {
  file: string;
  position: number;
  /** The source's gtid_executed at the snapshot ("" without GTIDs). */
  gtidExecuted: string;
}

interface LoadStats {
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
  rowsPerSecond: number;
  views: number;
  routines: number;
  triggers: number;
  events: number;
  /** Objects whose DEFINER was replaced by the replica admin (Azure refuses other definers). */
  definersRewritten: number;
  /** Attempts of the copy (a failed attempt is undone and the copy restarts from a new snapshot). */
  attempt: number;
}

export interface LoadReport {
  databases: string[];
  method: SnapshotMethod;
  coordinates: LoadCoordinates;
  stats: LoadStats;
  notes: string[];
}

/** Live progress of a copy, small enough for a custom status. */
export interface LoadProgress {
  phase: "snapshot" | "schema" | "data" | "objects" | "done";
  tablesDone: number;
  tablesTotal: number;
  rows: number;
  bytes: number;
  rowsPerSecond: number;
}

const snapshotMethodSchema = z.enum(["backupLockAndReadLock", "readLock"]);

/** A plan as the orchestrator receives it from the planInitialLoad activity. */
export const loadPlanSchema: z.ZodType<LoadPlan> = z.object({
  databases: z.array(z.string()),
  preExisting: z.array(z.string()),
  tables: z.number(),
  estimatedRows: z.number(),
  estimatedBytes: z.number(),
  method: snapshotMethodSchema,
});

/** A load's report as the orchestrator receives it from the copyInitialLoad activity. */
export const loadReportSchema: z.ZodType<LoadReport> = z.object({
  databases: z.array(z.string()),
  method: snapshotMethodSchema,
  coordinates: z.object({ file: z.string(), position: z.number(), gtidExecuted: z.string() }),
  stats: z.object({
    tables: z.number(),
    rows: z.number(),
    bytes: z.number(),
    durationMs: z.number(),
    rowsPerSecond: z.number(),
    views: z.number(),
    routines: z.number(),
    triggers: z.number(),
    events: z.number(),
    definersRewritten: z.number(),
    attempt: z.number(),
  }),
  notes: z.array(z.string()),
});
