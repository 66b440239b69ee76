// Everything the sandbox prints: progress lines, the summary box, errors; known secret values are masked on the way out.
const MASK = "********";

export class SandboxOutput {
  readonly #secrets = new Set<string>();
  readonly #startedAtMs: number;

  constructor(startedAtMs = Date.now()) {
    this.#startedAtMs = startedAtMs;
  }

  /** Secrets belong in the state file only: a value registered here never reaches the console, whatever prints it. */
  addSecrets(values: Iterable<string>): void {
    for (const value of values) if (value.length >= 4) this.#secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join(MASK);
    return out;
  }

  line(text = ""): void {
    process.stdout.write(`${this.redact(text)}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${this.redact(text)}\n`);
  }

  /** One line per component, with the seconds since the sandbox started. */
  progress(component: string, detail: string): void {
    const seconds = ((Date.now() - this.#startedAtMs) / 1000).toFixed(1).padStart(5);
    this.line(`  ${seconds}s  ${component.padEnd(10)} ${detail}`);
  }

  elapsedSeconds(): string {
    return ((Date.now() - this.#startedAtMs) / 1000).toFixed(1);
  }

  box(title: string, lines: readonly string[]): void {
    const width = Math.max(title.length + 2, ...lines.map((text) => text.length));
    const rule = "─".repeat(width + 2);
    this.line(`┌${rule}┐`);
    this.line(`│ ${title.padEnd(width)} │`);
    this.line(`├${rule}┤`);
    for (const text of lines) this.line(`│ ${text.padEnd(width)} │`);
    this.line(`└${rule}┘`);
  }
}
