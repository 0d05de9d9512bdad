import pg from 'pg';

// Calendar days stay 'YYYY-MM-DD' strings: pg's default turns DATE into a Date at local
// midnight, which shifts the day in any timezone west of UTC.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
