import type { Problem } from '../../shared/annotations';

/** Collects problems, and caps how many of one kind are listed so a broken 20k-file import stays readable. */
export class ProblemList {
  readonly items: Problem[] = [];
  private readonly perMessage = new Map<string, number>();
  private omitted = 0;

  constructor(private readonly limitPerKind = 20) {}

  error(message: string, where: Omit<Problem, 'severity' | 'message'> = {}, kind = message): void {
    this.add({ severity: 'error', message, ...where }, kind);
  }

  warning(message: string, where: Omit<Problem, 'severity' | 'message'> = {}, kind = message): void {
    this.add({ severity: 'warning', message, ...where }, kind);
  }

  get errorCount(): number {
    return this.items.filter((item) => item.severity === 'error').length;
  }

  /** The problems, with a closing note of how many similar ones were not listed. */
  list(): Problem[] {
    return this.omitted ? [...this.items, { severity: 'warning', message: `${this.omitted} more problems of the kinds above are not listed` }] : this.items;
  }

  private add(problem: Problem, kind: string): void {
    const seen = this.perMessage.get(kind) ?? 0;
    this.perMessage.set(kind, seen + 1);
    if (seen < this.limitPerKind) this.items.push(problem);
    else this.omitted++;
  }
}
