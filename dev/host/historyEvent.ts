// Orchestration history events in the shape the Durable extension sends to the JS replay engine (PascalCase fields).

/** DTFx EventType values, as durable-functions' HistoryEventType enumerates them. */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export type EventTypeName = keyof typeof EventType;

export interface HistoryEvent {
  EventType: number;
  /** The task id for TaskScheduled/TimerCreated/SubOrchestrationInstanceCreated, -1 for everything else. */
  EventId: number;
  IsPlayed: boolean;
  /** ISO-8601; the library turns it into a Date in place, which is why the host hands it copies. */
  Timestamp: string;
  [field: string]: unknown;
}

const names = new Map<number, string>(Object.entries(EventType).map(([name, value]) => [value, name]));

/** "TaskScheduled" for 4, etc.; tests read histories by name. */
export function eventTypeName(eventType: number): string {
  return names.get(eventType) ?? `Unknown(${eventType})`;
}

export function historyEvent(
  type: EventTypeName,
  timestampMs: number,
  fields: Record<string, unknown> = {},
  eventId = -1,
): HistoryEvent {
  return {
    EventType: EventType[type],
    EventId: eventId,
    IsPlayed: false,
    Timestamp: new Date(timestampMs).toISOString(),
    ...fields,
  };
}
