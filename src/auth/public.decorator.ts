import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'chronicle:public';

/** Marks a route that needs no credentials (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
