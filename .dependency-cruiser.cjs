/** Architecture rules checked in `npm run lint`: see docs/conventions.md. */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make modules load half-initialised.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-framework-free',
      severity: 'error',
      comment: 'domain/ holds plain data and pure functions: no Nest, TypeORM, pg or class-validator.',
      from: { path: '(^|/)domain/' },
      to: { path: '(^|/)node_modules/(@nestjs|typeorm|pg|class-validator|class-transformer|amqplib)/' },
    },
    {
      name: 'domain-stays-inside',
      severity: 'error',
      comment: 'domain/ depends on nothing outside domain/ except the core\'s domain types (its specs may use the test kit).',
      from: { path: '(^|/)domain/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/contexts/[^/]+/domain/', '^src/event-sourcing/domain/'] },
    },
    {
      name: 'subscriptions-know-no-consumer',
      severity: 'error',
      comment: 'The subscription engine runs any Subscription: projections, reactors, sagas and the relay depend on it, never the reverse (it reads through the store, whose personal fields it opens).',
      from: { path: '^src/event-sourcing/subscriptions/' },
      to: { path: '^src/event-sourcing/', pathNot: ['^src/event-sourcing/(subscriptions|store|personal-data)/'] },
    },
    {
      name: 'presentation-not-infrastructure',
      severity: 'error',
      comment: 'Controllers go through the command and query buses, never to infrastructure.',
      from: { path: '(^|/)presentation/' },
      to: { path: '(^|/)infrastructure/' },
    },
    {
      name: 'core-knows-no-context',
      severity: 'error',
      comment: 'The event-sourcing core is reusable: it never imports a bounded context or the app.',
      from: { path: '^src/event-sourcing/' },
      to: { path: '^src/(contexts|app\\.|main\\.|database|health|config)' },
    },
    {
      name: 'core-through-its-index',
      severity: 'error',
      comment:
        'The core is used through its public API only: index.ts (domain code: domain/index.ts, framework-free) and testing/index.ts.',
      from: { path: '^src/', pathNot: '^src/event-sourcing/' },
      to: { path: '^src/event-sourcing/', pathNot: ['^src/event-sourcing/(index|domain/index|testing/index)\\.ts$'] },
    },
    {
      name: 'core-nest-at-the-edge',
      severity: 'error',
      comment: 'Only the core\'s nest/ folder knows Nest: the rest of the core is plain TypeScript on pg.',
      from: { path: '^src/event-sourcing/', pathNot: ['^src/event-sourcing/nest/', '^src/event-sourcing/index\\.ts$'] },
      to: { path: '(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'contexts-through-public-api',
      severity: 'error',
      comment: 'A context imports another only through its public-api.ts.',
      from: { path: '^src/contexts/([^/]+)/' },
      to: { path: '^src/contexts/([^/]+)/', pathNot: ['^src/contexts/$1/', 'public-api\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)dist/' },
  },
};
