/** What became of a step that asked to go with others: committed with them, or to be committed by itself. */
export type GatheredOutcome = 'together' | 'alone' | 'failed';

interface Gathered<M> {
  readonly members: M[];
  readonly outcome: Promise<GatheredOutcome>;
  settle(outcome: GatheredOutcome): void;
}

/**
 * Gathers the steps of a worker's partitions of one subscription that are ready at the same
 * moment over the same rows of the log (a shared page: they resume together when it arrives),
 * so that one transaction commits several. Steps join until the event loop's next turn or until
 * `most` have joined (then the next ones start another group); a group of two or more runs
 * `together` once. A step alone when its turn comes, or whose group failed (rolled back as a
 * whole, nothing committed), commits by itself as it would have without gathering, which answers
 * it as it would have been answered alone.
 */
export class StepGathering<M> {
  private readonly open = new Map<string, Gathered<M>>();

  constructor(
    private readonly together: (members: readonly M[]) => Promise<void>,
    private readonly most: number = Number.POSITIVE_INFINITY,
  ) {}

  /** `key` names the rows the step covers (where it starts and ends): only steps over the same rows go together. */
  join(key: string, member: M): Promise<GatheredOutcome> {
    let group = this.open.get(key);
    if (!group) {
      let settle!: (outcome: GatheredOutcome) => void;
      const outcome = new Promise<GatheredOutcome>((resolve) => (settle = resolve));
      const opened: Gathered<M> = { members: [], outcome, settle };
      this.open.set(key, opened);
      setImmediate(() => this.close(key, opened));
      group = opened;
    }
    group.members.push(member);
    // Full: later steps over these rows start a group of their own.
    if (group.members.length >= this.most) this.open.delete(key);
    return group.outcome;
  }

  private close(key: string, group: Gathered<M>): void {
    if (this.open.get(key) === group) this.open.delete(key);
    if (group.members.length === 1) return group.settle('alone');
    this.together(group.members).then(
      () => group.settle('together'),
      () => group.settle('failed'),
    );
  }
}
