// Runs one node:https listener on 127.0.0.1 (ephemeral port) for an emulator, and closes it together with its keep-alive sockets.
import { createServer, type Server } from "node:https";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { sendJson } from "./httpJson";

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface RunningHttpsServer {
  port: number;
  /** `https://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export async function startHttpsServer(
  tls: TlsMaterial,
  handler: RequestHandler,
): Promise<RunningHttpsServer> {
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", `https://${req.headers.host ?? "127.0.0.1"}`);
    handler(req, res, url).catch((err: unknown) => {
      // A bug in an emulator must surface as a loud 500, never as a hung client.
      if (!res.headersSent) {
        sendJson(res, 500, { error: { code: "EmulatorError", message: String(err) } });
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // SDK clients keep sockets alive; without this, close() waits for their idle timeout.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
