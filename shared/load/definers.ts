// DEFINER clauses removed from CREATE statements: the replica admin becomes the definer, as Azure requires.

const DEFINER =
  /\bDEFINER\s*=\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[^\s@]+)\s*@\s*(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[^\s]+)\s*/i;

/**
 * Azure's admin has no SET_USER_ID (or SUPER), so an object defined by another account cannot be created there; without
 * the clause the object's definer is the account creating it, the replica admin. Only the first DEFINER clause, which
 * SHOW CREATE puts before the object's name, is touched: a body that mentions "DEFINER=" stays as it is.
 */
export function withoutDefiner(createStatement: string): { sql: string; rewritten: boolean } {
  const match = DEFINER.exec(createStatement);
  if (!match) return { sql: createStatement, rewritten: false };
  const head = createStatement.slice(0, match.index);
  // SHOW CREATE always puts the clause right after CREATE [ALGORITHM=...]; anything later is in the body.
  if (!/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?$/i.test(head))
    return { sql: createStatement, rewritten: false };
  return { sql: head + createStatement.slice(match.index + match[0].length), rewritten: true };
}
