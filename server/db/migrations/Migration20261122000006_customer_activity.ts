import { Migration } from '@mikro-orm/migrations';

/**
 * Each customer's order count, last order and last interaction, kept on the customer row so the
 * behaviour filters (`orderCount`, `lastOrderAt`, `lastInteractionAt`) of lists, segments and tier
 * rules read a column instead of probing customer_order / interaction once per customer.
 *
 * Kept exact by statement-level triggers on customer_order and interaction, whatever writes them
 * (recordOrder, importOrders, status changes, merges moving rows, plain SQL):
 *  - INSERT adds the new rows' count and takes the later of the two instants (one grouped update);
 *  - UPDATE (only rows whose customer or time changed) and DELETE recount the customers concerned,
 *    after locking their rows in id order: under READ COMMITTED the recount then sees every
 *    committed row, and concurrent writers lock customers in the same order.
 * Same meaning as the subqueries they replace: every order whatever its status, every interaction.
 */
/** Customers whose rows an UPDATE moved (other customer or other time), before and after; over old_rows / new_rows. */
const MOVED_KEYS = `
  select o.tenant_id, o.customer_id from old_rows o join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
   where n.customer_id is distinct from o.customer_id or n.occurred_at is distinct from o.occurred_at
  union
  select n.tenant_id, n.customer_id from old_rows o join new_rows n on n.tenant_id = o.tenant_id and n.id = o.id
   where n.customer_id is distinct from o.customer_id or n.occurred_at is distinct from o.occurred_at`;

export class Migration20261122000006_customer_activity extends Migration {
  override up(): void {
    this.addSql(`alter table customer
      add column order_count integer not null default 0,
      add column last_order_at timestamptz,
      add column last_interaction_at timestamptz`);

    this.addSql(`
      create function customer_order_stats_insert() returns trigger language plpgsql as $$
      begin
        perform 1 from customer c
          where (c.tenant_id, c.id) in (select distinct n.tenant_id, n.customer_id from new_rows n)
          order by c.tenant_id, c.id for no key update;
        update customer c
           set order_count = c.order_count + n.orders,
               last_order_at = greatest(c.last_order_at, n.last_at)
          from (select tenant_id, customer_id, count(*)::int as orders, max(occurred_at) as last_at
                  from new_rows group by tenant_id, customer_id) n
         where c.tenant_id = n.tenant_id and c.id = n.customer_id;
        return null;
      end $$`);
    this.addSql(`
      create function customer_order_stats_recount() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform 1 from customer c where (c.tenant_id, c.id) in (select tenant_id, customer_id from old_rows)
            order by c.tenant_id, c.id for no key update;
          update customer c set order_count = x.orders, last_order_at = x.last_at
            from (select distinct tenant_id, customer_id from old_rows) k
            cross join lateral (select count(*)::int as orders, max(o.occurred_at) as last_at from customer_order o
                                 where o.tenant_id = k.tenant_id and o.customer_id = k.customer_id) x
           where c.tenant_id = k.tenant_id and c.id = k.customer_id;
        else
          perform 1 from customer c where (c.tenant_id, c.id) in (${MOVED_KEYS})
            order by c.tenant_id, c.id for no key update;
          update customer c set order_count = x.orders, last_order_at = x.last_at
            from (${MOVED_KEYS}) k
            cross join lateral (select count(*)::int as orders, max(o.occurred_at) as last_at from customer_order o
                                 where o.tenant_id = k.tenant_id and o.customer_id = k.customer_id) x
           where c.tenant_id = k.tenant_id and c.id = k.customer_id;
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger customer_order_stats_insert after insert on customer_order
      referencing new table as new_rows for each statement execute function customer_order_stats_insert()`);
    this.addSql(`create trigger customer_order_stats_update after update on customer_order
      referencing old table as old_rows new table as new_rows for each statement execute function customer_order_stats_recount()`);
    this.addSql(`create trigger customer_order_stats_delete after delete on customer_order
      referencing old table as old_rows for each statement execute function customer_order_stats_recount()`);

    this.addSql(`
      create function customer_interaction_stats_insert() returns trigger language plpgsql as $$
      begin
        perform 1 from customer c
          where (c.tenant_id, c.id) in (select distinct n.tenant_id, n.customer_id from new_rows n)
          order by c.tenant_id, c.id for no key update;
        update customer c
           set last_interaction_at = greatest(c.last_interaction_at, n.last_at)
          from (select tenant_id, customer_id, max(occurred_at) as last_at from new_rows group by tenant_id, customer_id) n
         where c.tenant_id = n.tenant_id and c.id = n.customer_id;
        return null;
      end $$`);
    this.addSql(`
      create function customer_interaction_stats_recount() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform 1 from customer c where (c.tenant_id, c.id) in (select tenant_id, customer_id from old_rows)
            order by c.tenant_id, c.id for no key update;
          update customer c set last_interaction_at = x.last_at
            from (select distinct tenant_id, customer_id from old_rows) k
            cross join lateral (select max(i.occurred_at) as last_at from interaction i
                                 where i.tenant_id = k.tenant_id and i.customer_id = k.customer_id) x
           where c.tenant_id = k.tenant_id and c.id = k.customer_id;
        else
          perform 1 from customer c where (c.tenant_id, c.id) in (${MOVED_KEYS})
            order by c.tenant_id, c.id for no key update;
          update customer c set last_interaction_at = x.last_at
            from (${MOVED_KEYS}) k
            cross join lateral (select max(i.occurred_at) as last_at from interaction i
                                 where i.tenant_id = k.tenant_id and i.customer_id = k.customer_id) x
           where c.tenant_id = k.tenant_id and c.id = k.customer_id;
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger customer_interaction_stats_insert after insert on interaction
      referencing new table as new_rows for each statement execute function customer_interaction_stats_insert()`);
    this.addSql(`create trigger customer_interaction_stats_update after update on interaction
      referencing old table as old_rows new table as new_rows for each statement execute function customer_interaction_stats_recount()`);
    this.addSql(`create trigger customer_interaction_stats_delete after delete on interaction
      referencing old table as old_rows for each statement execute function customer_interaction_stats_recount()`);

    // Existing rows: one grouped pass over each table, one new version per customer with activity.
    this.addSql(`
      update customer c
         set order_count = coalesce(s.orders, 0), last_order_at = s.last_order_at, last_interaction_at = s.last_interaction_at
        from (select coalesce(o.tenant_id, i.tenant_id) as tenant_id, coalesce(o.customer_id, i.customer_id) as customer_id,
                     o.orders, o.last_at as last_order_at, i.last_at as last_interaction_at
                from (select tenant_id, customer_id, count(*)::int as orders, max(occurred_at) as last_at from customer_order group by 1, 2) o
                full join (select tenant_id, customer_id, max(occurred_at) as last_at from interaction group by 1, 2) i
                  on i.tenant_id = o.tenant_id and i.customer_id = o.customer_id) s
       where c.tenant_id = s.tenant_id and c.id = s.customer_id`);
  }

  override down(): void {
    for (const [table, kind] of [['customer_order', 'order'], ['interaction', 'interaction']] as const) {
      for (const op of ['insert', 'update', 'delete']) this.addSql(`drop trigger if exists customer_${kind}_stats_${op} on ${table}`);
    }
    this.addSql(`drop function if exists customer_order_stats_insert(), customer_order_stats_recount(),
      customer_interaction_stats_insert(), customer_interaction_stats_recount()`);
    this.addSql(`alter table customer drop column if exists order_count, drop column if exists last_order_at, drop column if exists last_interaction_at`);
  }
}
