// The local host refuses a durable-functions version other than the one its replay driver was built and tested against.
import {
  SUPPORTED_DURABLE_FUNCTIONS_VERSION,
  assertSupportedDurableFunctions,
} from "../../../dev/host/supportedLibrary";
import packageJson from "../../../package.json";

describe("durable-functions version check", () => {
  it("accepts the installed version, which package.json pins exactly", () => {
    expect(packageJson.dependencies["durable-functions"]).toBe(SUPPORTED_DURABLE_FUNCTIONS_VERSION);
    expect(() => assertSupportedDurableFunctions()).not.toThrow();
  });

  it("stops with a message naming both versions for any other", () => {
    expect(() => assertSupportedDurableFunctions("3.6.0")).toThrow(
      /supports durable-functions 3\.5\.0 exactly, found 3\.6\.0/,
    );
  });
});
