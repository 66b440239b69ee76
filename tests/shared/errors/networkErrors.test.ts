// A dropped or refused connection is retried whether it reached MySQL or an Azure service; each side keeps its own extra codes.
import { isTransientMysqlError } from "../../../shared/errors/mysqlErrors";
import { NETWORK_FAILURE_CODES } from "../../../shared/errors/networkErrors";
import { isTransientSdkError, isTransientServiceError } from "../../../shared/errors/serviceErrors";

/** As Node raises a socket failure: an Error with its code. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:3306`), { code });
}

describe("network failures", () => {
  it.each(NETWORK_FAILURE_CODES)("%s is transient for MySQL and for Azure services alike", (code) => {
    expect(isTransientMysqlError(socketError(code))).toBe(true);
    expect(isTransientServiceError(socketError(code))).toBe(true);
  });

  it("mysql2's lost connection is transient for MySQL; the pipeline's unsent request for Azure services", () => {
    expect(isTransientMysqlError(socketError("PROTOCOL_CONNECTION_LOST"))).toBe(true);
    expect(isTransientMysqlError(socketError("PROTOCOL_SEQUENCE_TIMEOUT"))).toBe(true);
    expect(isTransientServiceError(socketError("REQUEST_SEND_ERROR"))).toBe(true);
  });

  it("a refused permission or an unknown code is not retried", () => {
    for (const code of ["EACCES", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
      expect(isTransientMysqlError(socketError(code))).toBe(false);
      expect(isTransientServiceError(socketError(code))).toBe(false);
    }
  });

  it("an Azure SDK call's failure is told apart from a MySQL session's socket error with the same code", () => {
    const busy = Object.assign(new Error("The server is busy."), { name: "RestError", statusCode: 503 });
    const unsent = Object.assign(new Error("socket hang up"), {
      name: "RestError",
      code: "REQUEST_SEND_ERROR",
    });
    expect(isTransientSdkError(busy)).toBe(true);
    expect(isTransientSdkError(unsent)).toBe(true);
    expect(isTransientSdkError(socketError("ECONNRESET"))).toBe(false);
    expect(
      isTransientSdkError(Object.assign(new Error("Forbidden"), { name: "RestError", statusCode: 403 })),
    ).toBe(false);
  });
});
