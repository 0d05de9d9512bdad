/** Builds `RecordedEvent`s, upcasting stored data to the current schema version. */
export class RecordedEventMapper {
    registry;
    constructor(registry) {
        this.registry = registry;
    }
    toRecorded(row) {
        const { schemaVersion, data } = this.registry.upcast(row.type, row.schema_version, row.data);
        return {
            position: Number(row.position),
            eventId: row.event_id,
            tenantId: row.tenant_id,
            aggregateType: row.aggregate_type,
            aggregateId: row.aggregate_id,
            version: row.version,
            type: row.type,
            schemaVersion,
            data,
            metadata: row.metadata,
            occurredAt: row.occurred_at,
            recordedAt: row.recorded_at,
            transactionId: row.transaction_id,
        };
    }
    fromAppend(stream, event, place) {
        return {
            ...place,
            tenantId: stream.tenantId,
            aggregateType: stream.aggregateType,
            aggregateId: stream.aggregateId,
            eventId: event.eventId,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data,
            metadata: event.metadata,
            occurredAt: event.occurredAt,
        };
    }
}
//# sourceMappingURL=recorded-event.mapper.js.map