import { httpLabels } from './http-labels.js';

describe('the labels of a request', () => {
  it('name the route by its template, not the path it was called with', () => {
    const route = '/v1/practices/:practiceId/reservations/:reservationId';
    expect(httpLabels('GET', route, 200)).toEqual({ method: 'GET', route, status_class: '2xx' });
  });

  it('name a request no route matched "unmatched", whatever its path', () => {
    const labels = httpLabels('GET', undefined, 404);
    expect(labels).toEqual({ method: 'GET', route: 'unmatched', status_class: '4xx' });
  });

  it('give the status as its class', () => {
    const classes = [201, 304, 409, 422, 503].map((status) => httpLabels('POST', '/v1/practices', status).status_class);
    expect(classes).toEqual(['2xx', '3xx', '4xx', '4xx', '5xx']);
  });

  it('fold unusual methods and statuses into one value each', () => {
    const labels = httpLabels('PROPFIND', undefined, 999);
    expect(labels).toEqual({ method: 'OTHER', route: 'unmatched', status_class: 'other' });
  });
});
