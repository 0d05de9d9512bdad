import { expect } from '@jest/globals';
import { sendJson } from './http.js';
import type { TestApp } from './test-app.js';

/** A fresh practice owned by `owner`, created over HTTP, with the other members already added; its id. */
export const createPractice = async (
  app: TestApp,
  owner: string,
  members: Readonly<Record<string, string>> = {},
  name = 'Harbour Dental',
): Promise<string> => {
  const created = await sendJson(app.baseUrl, 'POST', '/v1/practices', app.as(owner), { name });
  expect(created.status).toBe(201);
  const practiceId = created.body.practiceId as string;
  for (const [userId, role] of Object.entries(members)) {
    const added = await sendJson(app.baseUrl, 'POST', `/v1/practices/${practiceId}/memberships`, app.as(owner), { userId, role });
    expect(added.status).toBe(201);
  }
  return practiceId;
};
