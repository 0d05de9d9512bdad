import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import type { Environment } from '../config/environment.js';
import { AuthenticationGuard } from './authentication.guard.js';
import { OperatorGuard } from './operator.guard.js';
import { jwtOptionsOf } from './token-policy.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';

@Module({
  imports: [
    RateLimitsModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) =>
        jwtOptionsOf({
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          JWT_MAX_LIFETIME_SECONDS: config.get('JWT_MAX_LIFETIME_SECONDS', { infer: true }),
          JWT_ISSUER: config.get('JWT_ISSUER', { infer: true }),
          JWT_AUDIENCE: config.get('JWT_AUDIENCE', { infer: true }),
        }),
    }),
  ],
  providers: [AuthenticationGuard, OperatorGuard],
  exports: [JwtModule, AuthenticationGuard, OperatorGuard],
})
export class AuthModule {}
