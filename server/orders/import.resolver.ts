import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { ImportOrderInput, ImportOrderResult } from './import.inputs.js';
import { importOrders, MAX_IMPORT_ROWS } from './import.service.js';

@Resolver()
export class OrderImportResolver {
  @Authorized(WRITE)
  @Mutation(() => [ImportOrderResult], {
    description:
      `Up to ${MAX_IMPORT_ROWS.toLocaleString('en-US')} orders; one result per row, in input order. Safe to repeat: a row whose externalId ` +
      'was imported before is EXISTING. The customers of new orders are re-scored (customer.metrics) right away.',
  })
  importOrders(@Arg('input', () => [ImportOrderInput]) input: ImportOrderInput[], @Ctx() ctx: Context): Promise<ImportOrderResult[]> {
    return importOrders(ctx.em, ctx.principal, input);
  }
}
