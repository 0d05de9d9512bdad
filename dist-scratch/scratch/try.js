var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import pg from 'pg';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres.server.js';
import { runMigrations } from '../src/database/run-migrations.js';
import { PostgresEventStore } from '../src/event-sourcing/store/postgres-event-store.js';
import { EventRegistry } from '../src/event-sourcing/store/event-registry.js';
import { IsString } from 'class-validator';
class Created {
    name;
}
__decorate([
    IsString(),
    __metadata("design:type", String)
], Created.prototype, "name", void 0);
const server = new EmbeddedPostgresServer({ dataDir: '.data/scratch', port: 54400, log: console.log });
const url = await server.start();
console.log(url, await runMigrations(url));
const pool = new pg.Pool({ connectionString: url });
const store = new PostgresEventStore(pool, new EventRegistry().register({ type: 'thing.created', payload: Created }));
const s = { tenantId: 't1', aggregateType: 'thing', aggregateId: String(Date.now()) };
console.log(await store.append(s, [{ type: 'thing.created', data: { name: 'x' }, metadata: { actor: { type: 'human', id: 'u' } } }], { expectedVersion: 'no_stream' }));
try {
    await store.append(s, [{ type: 'thing.created', data: { name: 'x' }, metadata: { actor: { type: 'human', id: 'u' } } }], { expectedVersion: 'no_stream' });
}
catch (e) {
    console.log(String(e));
}
console.log((await store.readAll()).events.length);
await pool.end();
await server.stop();
//# sourceMappingURL=try.js.map