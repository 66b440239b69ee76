// Folder rules for shared/ (npm run lint runs them): no import cycle between its folders, and shared/domain imports nothing.
/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-folder-cycle-in-shared",
      comment:
        "A folder of shared/ that imports another must not be imported back by it, directly or through others: " +
        "move the shared type or constant to the folder it belongs to (pure ones to shared/domain).",
      severity: "error",
      // Folder scope: shared/workflow stands for its subfolders too (activities, steps) when it imports.
      scope: "folder",
      from: { path: "^shared/[^/]+$" },
      to: { path: "^shared/", circular: true },
    },
    {
      name: "domain-imports-only-domain",
      comment: "shared/domain holds the pure rules and types: it imports no other folder and no package.",
      severity: "error",
      from: { path: "^shared/domain/" },
      to: { pathNot: "^shared/domain/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a cycle through types still ties the folders together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
