import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000001_foundation } from './Migration20261122000001_foundation.js';

/** Every migration, in order. Listed explicitly so they load the same from source and from tests. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122000001_foundation', class: Migration20261122000001_foundation },
];
