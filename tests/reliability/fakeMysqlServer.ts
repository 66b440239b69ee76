// A hostile MySQL server on loopback: asks for caching_sha2_password full authentication and records every password.
import { generateKeyPairSync, privateDecrypt, constants, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";

export interface FakeMysqlServer {
  port: number;
  /** Connections accepted: a refused request must leave this at 0. */
  accepts: number;
  /** Auth tokens (scrambles) and passwords received, decoded where the protocol lets a server decode them. */
  received: { user: string; token: Buffer; password?: string }[];
  close(): Promise<void>;
}

function packet(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
}

function handshake(nonce: Buffer): Buffer {
  // Protocol 41, secure connection, plugin auth; no SSL flag, so a client that insists on TLS stops here.
  const capabilities = 0x00000001 | 0x00000200 | 0x00008000 | 0x00080000 | 0x00000008;
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from("8.0.36\0"),
    Buffer.from([1, 0, 0, 0]),
    nonce.subarray(0, 8),
    Buffer.from([0]),
    Buffer.from([capabilities & 0xff, (capabilities >> 8) & 0xff]),
    Buffer.from([255]),
    Buffer.from([2, 0]),
    Buffer.from([(capabilities >> 16) & 0xff, (capabilities >> 24) & 0xff]),
    Buffer.from([21]),
    Buffer.alloc(10),
    nonce.subarray(8, 20),
    Buffer.from([0]),
    Buffer.from("caching_sha2_password\0"),
  ]);
}

export async function startFakeMysqlServer(): Promise<FakeMysqlServer> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" });
  const sockets = new Set<Socket>();
  const state: FakeMysqlServer = {
    port: 0,
    accepts: 0,
    received: [],
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    state.accepts += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const nonce = randomBytes(20);
    let buffered = Buffer.alloc(0);
    let entry: FakeMysqlServer["received"][number] | undefined;
    socket.write(packet(0, handshake(nonce)));
    socket.on("data", (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      while (buffered.length >= 4) {
        const length = buffered.readUIntLE(0, 3);
        if (buffered.length < 4 + length) return;
        const sequence = buffered[3]!;
        const payload = buffered.subarray(4, 4 + length);
        buffered = buffered.subarray(4 + length);
        if (sequence === 1) {
          // HandshakeResponse41: capabilities(4) max packet(4) charset(1) reserved(23) user\0 token-length token
          const userEnd = payload.indexOf(0, 32);
          const user = payload.subarray(32, userEnd).toString("utf8");
          const tokenLength = payload[userEnd + 1] ?? 0;
          entry = { user, token: Buffer.from(payload.subarray(userEnd + 2, userEnd + 2 + tokenLength)) };
          state.received.push(entry);
          socket.write(packet(2, Buffer.from([1, 4]))); // perform full authentication
        } else if (payload.length === 1 && payload[0] === 2) {
          socket.write(packet(sequence + 1, Buffer.concat([Buffer.from([1]), Buffer.from(pem)])));
        } else if (entry) {
          const clear =
            payload.length === 256
              ? privateDecrypt(
                  { key: privateKey, oaepHash: "sha1", padding: constants.RSA_PKCS1_OAEP_PADDING },
                  payload,
                )
              : payload;
          const bytes = Buffer.from(
            clear.map((byte, i) => (payload.length === 256 ? byte ^ nonce[i % 20]! : byte)),
          );
          entry.password = bytes.toString("utf8").replace(/\0$/, "");
          const error = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied")]);
          socket.end(packet(sequence + 1, error));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as { port: number }).port;
  return state;
}
