import { ApiHeader } from '@nestjs/swagger';

/** Documents the `If-Match` header a route's commands honour (`Commands.send`): one decorator, one wording. */
export const ApiIfMatch = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: '"<version>", the ETag of a read: 409 CONCURRENCY_CONFLICT if the aggregate moved on since. * : it must exist.',
    schema: { type: 'string' },
  });
