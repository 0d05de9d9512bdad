import { ValidateBy, type ValidationOptions } from 'class-validator';
import type { AggregateIdFormat } from '../aggregates/aggregate-id-format.js';

/**
 * An id in the form its aggregate declares (`idFormat`): the request field that names a new
 * aggregate checks what the events API checks for a direct append, so neither path stores an id
 * the other refuses. An aggregate without a format takes any id.
 */
export const IsIdOf = (aggregate: { readonly idFormat?: AggregateIdFormat }, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isIdOf',
      validator: {
        validate: (value) => typeof value === 'string' && (aggregate.idFormat?.pattern.test(value) ?? true),
        defaultMessage: () => `$property must be ${aggregate.idFormat?.description ?? 'a string'}`,
      },
    },
    options,
  );
