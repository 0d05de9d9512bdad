/** The `EventStore` port; bound to the PostgreSQL store by `EventSourcingModule`. */
export const EVENT_STORE = Symbol('EVENT_STORE');
