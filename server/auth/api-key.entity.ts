import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum Role {
  ADMIN = 'ADMIN',
  AGENT = 'AGENT',
  ANALYST = 'ANALYST',
  READ_ONLY = 'READ_ONLY',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'ADMIN: everything. AGENT: read and write records. ANALYST and READ_ONLY: read only.',
});

export enum ApiKeyKind {
  SECRET = 'SECRET',
  PUBLISHABLE = 'PUBLISHABLE',
}
registerEnumType(ApiKeyKind, { name: 'ApiKeyKind' });

/** A credential. Only the SHA-256 of the key is stored; the key itself is shown once. */
@ObjectType()
@Entity({ tableName: 'api_key' })
export class ApiKey {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ApiKeyKind)
  @Enum({ items: () => ApiKeyKind, nativeEnumName: undefined })
  kind: ApiKeyKind = ApiKeyKind.SECRET;

  @Field(() => Role)
  @Enum({ items: () => Role })
  role!: Role;

  @Field(() => String)
  @Property({ type: 'string' })
  name!: string;

  @Field(() => String, { description: 'The first characters of the key, for recognising it.' })
  @Property({ type: 'string' })
  prefix!: string;

  @Property({ type: 'string', hidden: true })
  keyHash!: string;

  @Field(() => [String])
  @Property({ type: 'json' })
  allowedOrigins: string[] = [];

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
