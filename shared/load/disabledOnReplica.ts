// Pure: an event's CREATE statement rewritten so the event does not run on the replica (its effects arrive by binlog).
export function disabledOnReplica(createEvent: string, replicaVersion: string): string {
  const [major = 0, minor = 0, patch = 0] = replicaVersion.split(/[.-]/).map(Number);
  // MySQL 8.0.22 renamed DISABLE ON SLAVE to DISABLE ON REPLICA.
  const modern = major > 8 || (major === 8 && (minor > 0 || patch >= 22));
  const clause = modern ? "DISABLE ON REPLICA" : "DISABLE ON SLAVE";
  const body = /\sDO\s/i.exec(createEvent);
  const cut = body ? body.index : createEvent.length;
  const head = createEvent
    .slice(0, cut)
    .replace(/\s(ENABLE|DISABLE ON (SLAVE|REPLICA)|DISABLE)(?=\s|$)/i, ` ${clause}`);
  return head + createEvent.slice(cut);
}
