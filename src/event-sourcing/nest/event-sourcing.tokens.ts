/** The `EventStore` port; bound to the PostgreSQL store by `EventSourcingModule`. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/** The pg `Pool` the core writes through (aliased to the app's pool token). */
export const PG_POOL_TOKEN = Symbol('EVENT_SOURCING_PG_POOL');
