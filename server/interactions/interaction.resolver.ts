import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { connectionColumns } from '../graphql/columns.js';
import { PageArgs } from '../graphql/connection.js';
import { Interaction } from './interaction.entity.js';
import { InteractionConnection, InteractionFilter, LogInteractionInput } from './interaction.inputs.js';
import {
  INTERACTION_READS, interactionCountLoader, interactionPageRequest, interactionPagesFor, listInteractions, interactionsWithCustomers, logInteraction,
} from './interaction.service.js';

type InteractionPage = InstanceType<typeof InteractionConnection>;

@Resolver(() => Interaction)
export class InteractionResolver {
  @Query(() => InteractionConnection, { description: 'All of the tenant’s interactions, newest first.' })
  interactions(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => InteractionFilter, { nullable: true }) filter: InteractionFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listInteractions(ctx.em, ctx.principal.tenantId, filter, page);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() interaction: Interaction, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(interaction.customerId);
  }

  @Authorized(WRITE)
  @Mutation(() => Interaction, { description: 'A retry with the same idempotencyKey returns the first result.' })
  logInteraction(
    @Arg('input', () => LogInteractionInput) input: LogInteractionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return logInteraction(ctx.em, ctx.principal, input, idempotencyKey);
  }
}

@Resolver(() => Customer)
export class CustomerInteractionsResolver {
  @FieldResolver(() => InteractionConnection, { description: 'Newest first; batched across the customers of a page.' })
  interactions(
    @Root() customer: Customer,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => InteractionFilter, { nullable: true }) filter: InteractionFilter | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): InteractionPage | Promise<InteractionPage> {
    // Read with the customer (interactionsWithCustomers), or else batched across the customers.
    const read = interactionsWithCustomers.read(customer, info.fieldNodes[0]);
    if (read) return read;
    const { em, principal, loaders } = ctx;
    return loaders
      .forField(info, () => {
        const request = interactionPageRequest(page);
        // Only the columns the selection reads; the column list is part of the loader key, so two
        // selections with the same arguments (aliases) each get the columns they need.
        const columns = connectionColumns(em, Interaction, info, INTERACTION_READS);
        const counts = interactionCountLoader(ctx, filter);
        return loaders.get<string, InteractionPage>(`customer.interactions:${JSON.stringify([page, filter, columns])}`, (ids) =>
          interactionPagesFor(em, principal.tenantId, ids, filter, request, (id) => counts.load(id), columns),
        );
      })
      .load(customer.id);
  }
}
