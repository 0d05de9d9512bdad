import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { PG_POOL } from '../database/database.module.js';
import { observeHttpRequests } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { registerPoolGauges } from './pool-gauges.js';

/**
 * `GET /metrics`: the app's registry, which the core fills with its own (the write path,
 * subscriptions, sagas, the read fence); this adds Node's defaults, the HTTP latency and the pool.
 */
@Module({})
export class MetricsModule implements OnModuleInit, OnApplicationShutdown {
  /** `registry`: this app instance's own (never prom-client's global one: tests run several apps in a process). */
  static forRoot(registry: Registry): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: Registry, useValue: registry }],
    };
  }

  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Before the app listens: Fastify takes hooks only until it is ready. */
  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    registerPoolGauges(this.registry, this.pool);
    // The CLI builds the app without an HTTP server: there are no requests to observe.
    const http = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | null;
    if (http) observeHttpRequests(http.getInstance<FastifyInstance>(), this.registry);
  }

  onApplicationShutdown(): void {
    this.registry.clear();
  }
}
