var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s/]+(:\d+)?\/[^\s?]+(\?\S*)?$/;
const AMQP_URL = /^amqps?:\/\/\S+$/;
const toInt = ({ value }) => (value === undefined || value === '' ? undefined : Number(value));
/** Every environment variable Chronicle reads, validated once at start. */
export class Environment {
    PORT = 3000;
    HOST = '0.0.0.0';
    DATABASE_URL;
    AMQP_URL;
    ROLE = 'all';
    EMBEDDED_PG_PORT = 54329;
    EMBEDDED_PG_DIR = '.data/postgres';
    DB_POOL_SIZE = 10;
    LOG_LEVEL = 'log';
}
__decorate([
    IsInt(),
    Min(0),
    Max(65535),
    Transform(toInt),
    __metadata("design:type", Object)
], Environment.prototype, "PORT", void 0);
__decorate([
    IsString(),
    __metadata("design:type", Object)
], Environment.prototype, "HOST", void 0);
__decorate([
    IsOptional(),
    Matches(POSTGRES_URL, { message: 'DATABASE_URL must look like postgres://user@host:5432/database' }),
    __metadata("design:type", String)
], Environment.prototype, "DATABASE_URL", void 0);
__decorate([
    IsOptional(),
    Matches(AMQP_URL, { message: 'AMQP_URL must look like amqp://user:password@host:5672' }),
    __metadata("design:type", String)
], Environment.prototype, "AMQP_URL", void 0);
__decorate([
    IsIn(['all', 'web', 'worker']),
    __metadata("design:type", String)
], Environment.prototype, "ROLE", void 0);
__decorate([
    IsInt(),
    Min(1024),
    Max(65535),
    Transform(toInt),
    __metadata("design:type", Object)
], Environment.prototype, "EMBEDDED_PG_PORT", void 0);
__decorate([
    IsString(),
    __metadata("design:type", Object)
], Environment.prototype, "EMBEDDED_PG_DIR", void 0);
__decorate([
    IsInt(),
    Min(1),
    Max(200),
    Transform(toInt),
    __metadata("design:type", Object)
], Environment.prototype, "DB_POOL_SIZE", void 0);
__decorate([
    IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']),
    __metadata("design:type", String)
], Environment.prototype, "LOG_LEVEL", void 0);
export class InvalidEnvironment extends Error {
    problems;
    constructor(problems) {
        super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        this.problems = problems;
        this.name = 'InvalidEnvironment';
    }
}
/** Used by ConfigModule's `validate` and by main.ts before anything starts. */
export const validateEnvironment = (raw) => {
    const known = new Set(Object.keys(new Environment()));
    // An empty variable counts as unset, as shells and compose files often leave them so.
    const relevant = Object.fromEntries(Object.entries(raw).filter(([key, value]) => known.has(key) && value !== ''));
    const environment = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
    const errors = validateSync(environment, { skipMissingProperties: false });
    if (errors.length > 0) {
        throw new InvalidEnvironment(errors.map((e) => `${e.property}=${JSON.stringify(raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`));
    }
    return environment;
};
//# sourceMappingURL=environment.js.map