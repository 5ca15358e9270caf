import { Field, ID, InputType, Int, type ClassType } from 'type-graphql';
import { DecimalScalar } from './scalars.js';

/**
 * Per-field operator objects (DESIGN §5). Each compiles to parameterized SQL in sql.ts;
 * every operator given must hold (they are ANDed).
 */
@InputType({ description: 'Text comparisons; contains and startsWith ignore case.' })
export class StringFilter {
  @Field(() => String, { nullable: true }) eq?: string;
  @Field(() => String, { nullable: true }) ne?: string;
  @Field(() => [String], { nullable: true }) in?: string[];
  @Field(() => [String], { nullable: true }) notIn?: string[];
  @Field(() => String, { nullable: true }) lt?: string;
  @Field(() => String, { nullable: true }) lte?: string;
  @Field(() => String, { nullable: true }) gt?: string;
  @Field(() => String, { nullable: true }) gte?: string;
  @Field(() => String, { nullable: true }) contains?: string;
  @Field(() => String, { nullable: true }) startsWith?: string;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

@InputType()
export class IdFilter {
  @Field(() => ID, { nullable: true }) eq?: string;
  @Field(() => ID, { nullable: true }) ne?: string;
  @Field(() => [ID], { nullable: true }) in?: string[];
  @Field(() => [ID], { nullable: true }) notIn?: string[];
}

@InputType({ description: 'Whole-number comparisons.' })
export class IntFilter {
  @Field(() => Int, { nullable: true }) eq?: number;
  @Field(() => Int, { nullable: true }) ne?: number;
  @Field(() => [Int], { nullable: true }) in?: number[];
  @Field(() => [Int], { nullable: true }) notIn?: number[];
  @Field(() => Int, { nullable: true }) lt?: number;
  @Field(() => Int, { nullable: true }) lte?: number;
  @Field(() => Int, { nullable: true }) gt?: number;
  @Field(() => Int, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

@InputType()
export class DateTimeFilter {
  @Field(() => Date, { nullable: true }) eq?: Date;
  @Field(() => Date, { nullable: true }) ne?: Date;
  @Field(() => Date, { nullable: true }) lt?: Date;
  @Field(() => Date, { nullable: true }) lte?: Date;
  @Field(() => Date, { nullable: true }) gt?: Date;
  @Field(() => Date, { nullable: true }) gte?: Date;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

@InputType({ description: 'Exact decimal comparisons.' })
export class DecimalFilter {
  @Field(() => DecimalScalar, { nullable: true }) eq?: string;
  @Field(() => DecimalScalar, { nullable: true }) ne?: string;
  @Field(() => DecimalScalar, { nullable: true }) lt?: string;
  @Field(() => DecimalScalar, { nullable: true }) lte?: string;
  @Field(() => DecimalScalar, { nullable: true }) gt?: string;
  @Field(() => DecimalScalar, { nullable: true }) gte?: string;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

export interface EnumFilterShape<E> {
  eq?: E;
  ne?: E;
  in?: E[];
  notIn?: E[];
  isNull?: boolean;
}

/** `<Name>Filter` for one enum type. */
export function enumFilter<E extends string>(Enum: object, name: string): ClassType<EnumFilterShape<E>> {
  @InputType(`${name}Filter`)
  class EnumFilter {
    @Field(() => Enum, { nullable: true }) eq?: E;
    @Field(() => Enum, { nullable: true }) ne?: E;
    @Field(() => [Enum], { nullable: true }) in?: E[];
    @Field(() => [Enum], { nullable: true }) notIn?: E[];
    @Field(() => Boolean, { nullable: true }) isNull?: boolean;
  }
  return EnumFilter;
}
