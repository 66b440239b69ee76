// Pure: what the operator must know after a copy (rewritten definers, events disabled on the replica, accounts not copied).
export function loadNotes(definersRewritten: number, events: number): string[] {
  const notes: string[] = [];
  if (definersRewritten > 0)
    notes.push(
      `${definersRewritten} view(s), routine(s), trigger(s) or event(s) were created with the replica admin as DEFINER (Azure allows no other); check their SQL SECURITY if they relied on another account's rights.`,
    );
  if (events > 0)
    notes.push(
      `${events} event(s) were created DISABLED ON REPLICA: they run on the source, and their changes replicate.`,
    );
  notes.push(
    "Accounts and grants (the mysql schema) are not copied: create the application's accounts on the replica.",
  );
  return notes;
}
