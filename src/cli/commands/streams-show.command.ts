import type { EventStore } from '../../event-sourcing/index.js';
import type { AppCommand } from '../cli-command.js';
import { write } from '../output.js';

export const streamsShow: AppCommand = {
  name: 'streams:show',
  usage: 'streams:show <aggregateType> <id> --tenant <tenantId>',
  summary: 'one stream\'s events, with their metadata and data',
  help: 'Prints every event of the stream <tenant>/<aggregateType>/<id>, oldest first, upcast as the app reads them:\n'
    + '  v<version>  <type>  recorded <time>  actor <type>:<id>  correlation <id>\n'
    + '    <data as JSON>\n'
    + 'Exits 1 when the aggregate type is unknown or the stream has no events.',
  options: { tenant: { type: 'string' } },
  positionals: 2,
  validate: ({ values }) =>
    typeof values.tenant === 'string' && values.tenant !== '' ? undefined : '--tenant <tenantId> is required',
  async run(app, { positionals: [aggregateType, aggregateId], values }) {
    const { AggregateCatalog, EVENT_STORE } = await import('../../event-sourcing/index.js');
    const aggregate = app.get(AggregateCatalog).entry(aggregateType);
    if (!aggregate) throw new Error(`No aggregate type named ${aggregateType}`);
    const stream = aggregate.streamOf(String(values.tenant), aggregateId);
    const events = await app.get<EventStore>(EVENT_STORE).readStream(stream);
    if (events.length === 0) throw new Error(`No events in stream ${values.tenant}/${aggregateType}/${aggregateId}`);
    for (const e of events) {
      const { actor, correlationId } = e.metadata;
      const by = `actor ${actor.type}:${actor.id ?? '-'}  correlation ${correlationId ?? '-'}`;
      write(`v${e.version}  ${e.type}  recorded ${e.recordedAt.toISOString()}  ${by}`);
      write(`  ${JSON.stringify(e.data)}`);
    }
    return 0;
  },
};
