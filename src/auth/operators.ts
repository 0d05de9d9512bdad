/**
 * OPERATOR_USER_IDS as a set: the users who run the service. Only they may call the admin
 * API, and only they may act as the `system` actor over HTTP.
 */
export const operatorIdsOf = (listed: string): ReadonlySet<string> =>
  new Set(
    listed
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  );
