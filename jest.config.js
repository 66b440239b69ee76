// Jest for TypeScript: ts-jest transpiles only (tsc type-checks separately); @azure/functions-core maps to the local host's shim.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleNameMapper: { "^@azure/functions-core$": "<rootDir>/dev/host/functionsCoreShim.ts" },
  testTimeout: 120000,
  maxWorkers: 2,
};
