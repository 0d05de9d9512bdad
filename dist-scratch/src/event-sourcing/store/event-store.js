export const DEFAULT_READ_LIMIT = 100;
export const MAX_READ_LIMIT = 10_000;
//# sourceMappingURL=event-store.js.map