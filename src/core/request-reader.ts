// Reads one API request field by field. The renderer is not trusted, so every method reads its request
// through this, and a bad field is reported by name.

import { WorkbenchError } from '../shared/errors';

export class RequestReader {
  private readonly fields: Record<string, unknown>;
  private readonly read = new Set<string>();

  constructor(
    private readonly method: string,
    request: unknown,
  ) {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new WorkbenchError('invalid-request', `${method}: the request must be an object`);
    }
    this.fields = request as Record<string, unknown>;
  }

  string(name: string): string {
    const value = this.take(name);
    if (typeof value !== 'string' || value.length === 0) throw this.invalid(name, 'a non-empty string');
    return value;
  }

  int(name: string, min: number, max: number): number {
    if (this.fields[name] === undefined) throw this.invalid(name, `a whole number from ${min} to ${max}`);
    return this.optionalInt(name, min, max, min);
  }

  boolean(name: string): boolean {
    if (typeof this.fields[name] !== 'boolean') throw this.invalid(name, 'true or false');
    return this.optionalBoolean(name);
  }

  optionalInt(name: string, min: number, max: number, fallback: number): number {
    const value = this.take(name);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw this.invalid(name, `a whole number from ${min} to ${max}`);
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.fields[name] === undefined ? (this.take(name), undefined) : this.string(name);
  }

  optionalBoolean(name: string): boolean {
    const value = this.take(name);
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw this.invalid(name, 'true or false');
    return value;
  }

  optionalNumber(name: string, min: number, max: number): number | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value >= min && value <= max)) throw this.invalid(name, `a number from ${min} to ${max}`);
    return value;
  }

  /** One of `choices`. */
  choice<T extends string>(name: string, choices: readonly T[], optional = false): T | undefined {
    const value = this.take(name);
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) throw this.invalid(name, `one of ${choices.join(', ')}`);
    return value as T;
  }

  /** The field as it came, for a reader of its own (such as an edit). */
  raw(name: string): unknown {
    return this.take(name);
  }

  /** Refuses fields the method does not know, which are almost always a client's typo. */
  end(): void {
    const unknown = Object.keys(this.fields).filter((name) => !this.read.has(name));
    if (unknown.length > 0) {
      throw new WorkbenchError('invalid-request', `${this.method}: unknown field "${unknown[0]}"`, { field: unknown[0] });
    }
  }

  private take(name: string): unknown {
    this.read.add(name);
    return this.fields[name];
  }

  private invalid(name: string, expected: string): WorkbenchError {
    const got = JSON.stringify(this.fields[name]) ?? 'nothing';
    return new WorkbenchError('invalid-request', `${this.method}: "${name}" must be ${expected}, got ${got}`, { field: name });
  }
}
