// The Node.js socket error codes of a connection refused, dropped, timed out, unroutable or unresolved: the network's fault, worth a retry.

export const NETWORK_FAILURE_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
] as const;
