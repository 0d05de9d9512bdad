export const ACTOR_TYPES = ['human', 'ai', 'system'];
export const streamKey = (stream) => `${stream.tenantId}/${stream.aggregateType}/${stream.aggregateId}`;
//# sourceMappingURL=event-envelope.js.map