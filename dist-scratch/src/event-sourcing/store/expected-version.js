export const describeExpectedVersion = (expected) => typeof expected === 'number' ? `version ${expected}` : expected;
export const isExpectedVersionMet = (expected, actual) => {
    switch (expected) {
        case 'any':
            return true;
        case 'no_stream':
            return actual === 0;
        case 'stream_exists':
            return actual > 0;
        default:
            return actual === expected;
    }
};
/** Encoding used by the SQL append function: -1 any, -2 no stream, -3 stream exists. */
export const expectedVersionCode = (expected) => {
    switch (expected) {
        case 'any':
            return -1;
        case 'no_stream':
            return -2;
        case 'stream_exists':
            return -3;
        default:
            return expected;
    }
};
//# sourceMappingURL=expected-version.js.map