import type { PersonalReadModel } from '../personal-data/personal-columns.js';
import { InlineRowChangeProjection } from '../projections/inline-row-change.projection.js';
import type { InlineProjection } from './inline-projection.js';

/** The inline projections bounded contexts register at start; the repository runs them. */
export class InlineProjections {
  private readonly registered: InlineProjection[] = [];

  register(...projections: readonly InlineProjection[]): void {
    for (const projection of projections) {
      if (this.registered.some((p) => p.name === projection.name)) {
        throw new Error(`Inline projection "${projection.name}" is registered twice`);
      }
      this.registered.push(projection);
    }
  }

  /** The read models whose rows hold personal data, to redact when a subject is forgotten. */
  personalReadModels(): PersonalReadModel[] {
    return this.registered.flatMap((projection) => {
      if (!(projection instanceof InlineRowChangeProjection)) return [];
      const { table, personal } = projection.definition;
      return personal ? [{ table, personal }] : [];
    });
  }

  handling(types: readonly string[]): InlineProjection[] {
    return this.registered.filter((p) => p.handles.some((type) => types.includes(type)));
  }
}
