import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InvalidEventPayload, UnknownEventType } from './event-store.errors.js';
const flattenViolations = (errors, parent = '') => errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, constraints: Object.values(error.constraints) }] : [];
    return [...own, ...flattenViolations(error.children ?? [], field)];
});
/**
 * Every event type the application may store, with its payload schema, current schema
 * version and upcasters. Appends are validated against it; reads are upcast through it.
 */
export class EventRegistry {
    types = new Map();
    register(...definitions) {
        for (const definition of definitions)
            this.registerOne(definition);
        return this;
    }
    has(type) {
        return this.types.has(type);
    }
    registeredTypes() {
        return [...this.types.keys()].sort();
    }
    schemaVersionOf(type) {
        return this.require(type).schemaVersion;
    }
    /** Validates a new event's payload; throws `UnknownEventType` or `InvalidEventPayload`. */
    validate(type, data) {
        const { payload } = this.require(type);
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
            throw new InvalidEventPayload(type, [{ field: '(payload)', constraints: ['payload must be a JSON object'] }]);
        }
        const instance = plainToInstance(payload, data);
        const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
        if (errors.length > 0)
            throw new InvalidEventPayload(type, flattenViolations(errors));
    }
    /** Brings stored data up to the type's current schema version. Unregistered types pass through. */
    upcast(type, schemaVersion, data) {
        const registered = this.types.get(type);
        if (!registered || schemaVersion >= registered.schemaVersion)
            return { schemaVersion, data };
        let current = data;
        for (let version = schemaVersion; version < registered.schemaVersion; version++) {
            const upcast = registered.upcasters.get(version);
            if (!upcast)
                throw new Error(`No upcaster for "${type}" from schema version ${version}`);
            current = upcast(current);
        }
        return { schemaVersion: registered.schemaVersion, data: current };
    }
    registerOne(definition) {
        if (this.types.has(definition.type))
            throw new Error(`Event type "${definition.type}" is registered twice`);
        const schemaVersion = definition.schemaVersion ?? 1;
        const upcasters = new Map((definition.upcasters ?? []).map((u) => [u.from, u.upcast]));
        for (let version = 1; version < schemaVersion; version++) {
            if (!upcasters.has(version)) {
                throw new Error(`Event type "${definition.type}" v${schemaVersion} lacks an upcaster from v${version}`);
            }
        }
        this.types.set(definition.type, { payload: definition.payload, schemaVersion, upcasters });
    }
    require(type) {
        const registered = this.types.get(type);
        if (!registered)
            throw new UnknownEventType(type);
        return registered;
    }
}
//# sourceMappingURL=event-registry.js.map