import { Field, ID, InputType, Int } from 'type-graphql';
import { Channel } from '../graphql/enums.js';
import { DateTimeFilter, enumFilter, IdFilter } from '../graphql/filters.js';
import { connectionType } from '../graphql/connection.js';
import { Direction, Interaction, InteractionType } from './interaction.entity.js';

export const InteractionConnection = connectionType(Interaction, 'Interaction');
export const InteractionTypeFilter = enumFilter<InteractionType>(InteractionType, 'InteractionType');
export const ChannelFilter = enumFilter<Channel>(Channel, 'Channel');
export const DirectionFilter = enumFilter<Direction>(Direction, 'Direction');

@InputType()
export class InteractionFilter {
  @Field(() => InteractionTypeFilter, { nullable: true }) type?: InstanceType<typeof InteractionTypeFilter>;
  @Field(() => ChannelFilter, { nullable: true }) channel?: InstanceType<typeof ChannelFilter>;
  @Field(() => DirectionFilter, { nullable: true }) direction?: InstanceType<typeof DirectionFilter>;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Date range, e.g. { gte: "2025-01-01T00:00:00Z", lt: "2025-02-01T00:00:00Z" }.' })
  occurredAt?: DateTimeFilter;
  @Field(() => IdFilter, { nullable: true, description: 'Tenant-wide lists only.' }) customerId?: IdFilter;
  @Field(() => [InteractionFilter], { nullable: true }) and?: InteractionFilter[];
  @Field(() => [InteractionFilter], { nullable: true }) or?: InteractionFilter[];
  @Field(() => InteractionFilter, { nullable: true }) not?: InteractionFilter;
}

@InputType()
export class LogInteractionInput {
  @Field(() => ID) customerId!: string;
  @Field(() => InteractionType) type!: InteractionType;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Direction, { nullable: true }) direction?: Direction | null;
  @Field(() => String, { nullable: true, description: 'At most 200 characters.' }) subject?: string | null;
  @Field(() => String, { nullable: true, description: 'At most 10,000 characters.' }) body?: string | null;
  @Field(() => Date, { nullable: true, description: 'Defaults to now.' }) occurredAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'Seconds.' }) durationSeconds?: number | null;
  @Field(() => String, { nullable: true }) outcome?: string | null;
  @Field(() => String, { nullable: true }) agent?: string | null;
}
