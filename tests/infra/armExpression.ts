// Test helper: evaluates the ARM template expressions Bicep emits ("[union(createObject(...), if(...))]") for given parameters.
//
// Only the functions the templates under test use; an unknown one throws with its name, so a template change that
// needs more fails loudly instead of being skipped.

type Value = unknown;

export interface TemplateScope {
  parameters: Record<string, Value>;
  /** Raw template variables, evaluated on first use. */
  variables: Record<string, Value>;
  /** What environment() returns. */
  environment: Record<string, Value>;
}

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "property"; target: Node; name: string }
  | { kind: "index"; target: Node; index: Node };

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if ("(),.[]".includes(c)) {
      tokens.push(c);
      i++;
    } else if (c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[i] === "'" && source[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (source[i] === "'") {
          i++;
          break;
        } else {
          text += source[i];
          i++;
        }
      }
      tokens.push(`'${text}`);
    } else {
      const match = /^[-A-Za-z0-9_]+/.exec(source.slice(i));
      if (!match) throw new Error(`unexpected ${c} in ${source}`);
      tokens.push(match[0]);
      i += match[0].length;
    }
  }
  return tokens;
}

function parse(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const next = (): string => {
    const token = tokens[pos++];
    if (token === undefined) throw new Error(`unexpected end of ${source}`);
    return token;
  };
  const expect = (token: string) => {
    const got = next();
    if (got !== token) throw new Error(`expected ${token}, got ${got} in ${source}`);
  };
  const expression = (): Node => {
    const token = next();
    let node: Node;
    if (token.startsWith("'")) node = { kind: "literal", value: token.slice(1) };
    else if (/^-?\d+$/.test(token)) node = { kind: "literal", value: Number(token) };
    else if (token === "true" || token === "false") node = { kind: "literal", value: token === "true" };
    else if (token === "null") node = { kind: "literal", value: null };
    else {
      expect("(");
      const args: Node[] = [];
      if (tokens[pos] !== ")") {
        args.push(expression());
        while (tokens[pos] === ",") {
          pos++;
          args.push(expression());
        }
      }
      expect(")");
      node = { kind: "call", name: token.toLowerCase(), args };
    }
    for (;;) {
      if (tokens[pos] === ".") {
        pos++;
        node = { kind: "property", target: node, name: next() };
      } else if (tokens[pos] === "[") {
        pos++;
        node = { kind: "index", target: node, index: expression() };
        expect("]");
      } else {
        return node;
      }
    }
  };
  const root = expression();
  if (pos !== tokens.length) throw new Error(`trailing tokens in ${source}`);
  return root;
}

function asObject(value: Value, what: string): Record<string, Value> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not an object: ${JSON.stringify(value)}`);
  }
  return value as Record<string, Value>;
}

function call(name: string, args: Value[], scope: TemplateScope, cache: Map<string, Value>): Value {
  switch (name) {
    case "parameters": {
      const key = String(args[0]);
      if (!(key in scope.parameters)) throw new Error(`parameter ${key} has no value`);
      return scope.parameters[key];
    }
    case "variables": {
      const key = String(args[0]);
      if (!cache.has(key)) {
        if (!(key in scope.variables)) throw new Error(`variable ${key} is not defined`);
        cache.set(key, evaluateIn(scope.variables[key], scope, cache));
      }
      return cache.get(key);
    }
    case "environment":
      return scope.environment;
    case "createobject": {
      const result: Record<string, Value> = {};
      for (let i = 0; i < args.length; i += 2) result[String(args[i])] = args[i + 1];
      return result;
    }
    case "createarray":
      return args;
    case "union":
      return Object.assign({}, ...args.map((a, i) => asObject(a, `union argument ${i}`))) as Value;
    case "if":
      return args[0] === true ? args[1] : args[2];
    case "equals":
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "not":
      return args[0] !== true;
    case "empty":
      return (
        args[0] === null ||
        args[0] === "" ||
        (typeof args[0] === "object" && Object.keys(args[0]).length === 0)
      );
    case "string":
      return typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]);
    case "format":
      return String(args[0]).replace(/\{(\d+)\}/g, (_, n: string) => String(args[Number(n) + 1]));
    case "concat":
      return args.map(String).join("");
    default:
      throw new Error(`ARM function ${name}() is not known to tests/infra/armExpression.ts: add it`);
  }
}

function evaluateNode(node: Node, scope: TemplateScope, cache: Map<string, Value>): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "call":
      return call(
        node.name,
        node.args.map((a) => evaluateNode(a, scope, cache)),
        scope,
        cache,
      );
    case "property":
      return asObject(evaluateNode(node.target, scope, cache), `.${node.name} target`)[node.name];
    case "index": {
      const target = evaluateNode(node.target, scope, cache);
      const index = evaluateNode(node.index, scope, cache);
      return (target as Record<string, Value>)[String(index)];
    }
  }
}

function evaluateIn(value: Value, scope: TemplateScope, cache: Map<string, Value>): Value {
  if (typeof value === "string") {
    if (value.startsWith("[[")) return value.slice(1);
    if (value.startsWith("[") && value.endsWith("]"))
      return evaluateNode(parse(value.slice(1, -1)), scope, cache);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateIn(v, scope, cache));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateIn(v, scope, cache)]));
  }
  return value;
}

/** Evaluates a template value (a JSON value whose strings may be "[expression]") in the given scope. */
export function evaluate(value: Value, scope: TemplateScope): Value {
  return evaluateIn(value, scope, new Map());
}
