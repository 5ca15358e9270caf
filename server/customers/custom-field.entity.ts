import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum CustomFieldType {
  STRING = 'STRING',
  NUMBER = 'NUMBER',
  BOOLEAN = 'BOOLEAN',
  DATE = 'DATE',
  ENUM = 'ENUM',
}
registerEnumType(CustomFieldType, { name: 'CustomFieldType' });

/** A tenant-defined attribute that customers may carry in `customAttributes`. */
@ObjectType()
@Entity({ tableName: 'custom_field_definition' })
export class CustomFieldDefinition {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => String, { description: 'The key in customAttributes: lower camelCase or snake_case.' })
  @Property({ type: 'string' })
  key!: string;

  @Field(() => String)
  @Property({ type: 'string' })
  label!: string;

  @Field(() => CustomFieldType)
  @Enum({ items: () => CustomFieldType })
  type!: CustomFieldType;

  @Field(() => [String], { description: 'Allowed values for ENUM fields.' })
  @Property({ type: 'json' })
  options: string[] = [];

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  required: boolean = false;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
