import { isSealed, keyIdOf } from './sealed-value.js';

/**
 * Where an event's personal fields are stored: under one key of its stored data, out of the
 * way of any payload field (no class property is named so), their names in the clear and
 * their values sealed together, one cipher per event however many fields it has.
 */
export const SEALED_FIELDS = '~personal';

export interface SealedBox {
  /** The personal fields it holds (names tell nothing of the person): what reads as redacted once the key is gone. */
  readonly fields: readonly string[];
  /** `{ field: value, … }` sealed (see `sealValue`). */
  readonly sealed: string;
}

/** The sealed box of stored data, if it has a well-formed one. */
export const sealedBoxOf = (data: unknown): SealedBox | undefined => {
  const box = (data as Record<string, unknown> | null)?.[SEALED_FIELDS] as Partial<SealedBox> | undefined;
  if (!box || !isSealed(box.sealed) || !Array.isArray(box.fields)) return undefined;
  return box as SealedBox;
};

export const keyIdOfBox = (box: SealedBox): string => keyIdOf(box.sealed);
