/**
 * The number a decimal text names, when a JavaScript number holds it exactly: digits only, from
 * `min` up to 2^53 − 1. Null for anything else. Past 2^53, `Number(text)` rounds (another row's
 * id, another position) or turns into `1e+23`, which PostgreSQL's bigint refuses: a position or
 * an id typed by an operator is checked with this where it enters, before it is used.
 */
export const exactWholeNumber = (text: string, min = 0): number | null => {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? value : null;
};
