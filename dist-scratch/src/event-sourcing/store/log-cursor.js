export const LOG_START = { transactionId: '0', position: 0 };
export const encodeLogCursor = (cursor) => `${cursor.transactionId}:${cursor.position}`;
export const decodeLogCursor = (text) => {
    const match = /^(\d{1,20}):(\d{1,16})$/.exec(text);
    return match ? { transactionId: match[1], position: Number(match[2]) } : null;
};
export const compareLogCursors = (a, b) => {
    const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
    if (byTransaction !== 0n)
        return byTransaction < 0n ? -1 : 1;
    return a.position - b.position;
};
//# sourceMappingURL=log-cursor.js.map