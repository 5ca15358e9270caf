import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../auth/api-key.entity.js';
import type { Context } from '../context.js';
import { NotFoundError } from '../graphql/errors.js';
import { Tenant } from './tenant.entity.js';

@ObjectType({ description: 'Who the calling key is.' })
export class Viewer {
  @Field(() => Tenant) tenant!: Tenant;
  @Field(() => Role) role!: Role;
}

@Resolver()
export class TenantResolver {
  @Query(() => Viewer, { description: 'The tenant and role of the key making the request.' })
  async viewer(@Ctx() ctx: Context): Promise<Viewer> {
    const tenant = await ctx.em.findOne(Tenant, { id: ctx.principal.tenantId });
    if (!tenant) throw new NotFoundError('Tenant', ctx.principal.tenantId);
    return Object.assign(new Viewer(), { tenant, role: ctx.principal.role });
  }
}
