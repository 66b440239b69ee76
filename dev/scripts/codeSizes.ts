// Prints the largest files and functions under the given folders (default: shared, functions), in lines, by the TypeScript parser.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

interface Sized {
  name: string;
  lines: number;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

function functionName(node: ts.Node, file: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(file);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(file);
  return "(anonymous)";
}

function functionsOf(path: string): Sized[] {
  const text = readFileSync(path, "utf8");
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: Sized[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        name: `${relative(".", path)}:${start + 1} ${functionName(node, file)}`,
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function top(items: Sized[], count: number): string {
  return items
    .sort((a, b) => b.lines - a.lines)
    .slice(0, count)
    .map((item) => `${String(item.lines).padStart(5)}  ${item.name}`)
    .join("\n");
}

const folders = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const count = Number(process.argv.find((arg) => arg.startsWith("--top="))?.slice(6) ?? 15);
const files = (folders.length > 0 ? folders : ["shared", "functions"]).flatMap(sourceFiles);
const fileSizes = files.map((path) => ({
  name: relative(".", path),
  lines: readFileSync(path, "utf8").split("\n").length,
}));
console.log(`largest files (${files.length} files, ${fileSizes.reduce((sum, f) => sum + f.lines, 0)} lines)`);
console.log(top(fileSizes, count));
console.log("largest functions");
console.log(top(files.flatMap(functionsOf), count));
