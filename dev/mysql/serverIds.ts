// Hands out server_id values that differ between the servers of one process (a replica must not share its source's id).
const used = new Set<number>();

/** A random non-zero server_id not handed out before in this process. */
export function allocateServerId(): number {
  for (;;) {
    const id = 2 + Math.floor(Math.random() * 2_000_000_000);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}
