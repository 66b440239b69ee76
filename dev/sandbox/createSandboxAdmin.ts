// An all-privileges TCP account on a throwaway server, so a person or a check can reach it with a plain mysql:// URI.
import { randomBytes } from "node:crypto";
import { type MysqlServer } from "../mysql";

const SANDBOX_ADMIN_USER = "sandboxadmin";

export interface SandboxAdmin {
  user: string;
  password: string;
  /** mysql://user:password@127.0.0.1:port/ with both parts percent-encoded. */
  uri: string;
}

/**
 * Root exists only as root@localhost over the server's private unix socket (empty password), which a URI cannot
 * name; this account is the TCP way in. On the replica it is deliberately more than Azure's admin gets (SUPER
 * included): it stands for the operator's own access to the machine, not for anything the app may use.
 */
export async function createSandboxAdmin(server: MysqlServer): Promise<SandboxAdmin> {
  const user = SANDBOX_ADMIN_USER;
  // URL-safe, so the URI needs no decoding to be read by eye; still random enough for a throwaway server.
  const password = randomBytes(18).toString("base64url");
  const connection = await server.rootConnection();
  try {
    // Kept out of the binlog: the account is this machine's, not part of the data that replicates.
    await connection.query("SET SESSION sql_log_bin = 0");
    await connection.query("CREATE USER ?@? IDENTIFIED BY ?", [user, server.host, password]);
    await connection.query("GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION", [user, server.host]);
  } finally {
    await connection.end();
  }
  // Proves the URI works as written (over TLS when the server requires it) before it goes into the state file.
  const probe = await server.connect({ user, password });
  await probe.end();
  return {
    user,
    password,
    uri: `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${server.host}:${server.port}/`,
  };
}
