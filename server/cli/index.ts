import { Command, InvalidArgumentError } from 'commander';
import { Role } from '../auth/api-key.entity.js';
import { createApiKey } from '../auth/keys.service.js';
import { createPublishableKey } from '../auth/publishable-keys.service.js';
import { loadConfig } from '../config.js';
import { createOrm, migrate, sqlEm, targetFromConfig, type Orm } from '../db/orm.js';
import { DEMO_SLUG, seedCustomers } from '../db/seed/demo.js';
import { AppError } from '../graphql/errors.js';
import { writeSchemaFile } from '../schema.js';
import { createTenant, findTenantBySlug } from '../tenants/tenant.service.js';
import { cliCommands } from './registry.js';

/** Opens the configured database (migrated), runs `fn`, closes it. */
export async function withOrm<T>(fn: (orm: Orm) => Promise<T>): Promise<T> {
  const orm = await createOrm({ ...targetFromConfig(loadConfig()), debug: false });
  try {
    await migrate(orm);
    return await fn(orm);
  } finally {
    await orm.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export function buildCli(): Command {
  const program = new Command('clientele').description('Clientele customer-management back end').showHelpAfterError();

  program.command('serve').description('start the GraphQL server (same as npm start)').action(async () => {
    await import('../main.js');
  });

  program.command('migrate').description('apply pending database migrations').action(async () => {
    const orm = await createOrm(targetFromConfig(loadConfig()));
    try {
      const applied = await migrate(orm);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
    } finally {
      await orm.close();
    }
  });

  program
    .command('seed')
    .description('add generated customers with orders and interactions to a tenant (created if missing)')
    .option('--customers <n>', 'how many customers', positiveInt, 2000)
    .option('--tenant <slug>', 'tenant slug', DEMO_SLUG)
    .action(async (opts: { customers: number; tenant: string }) =>
      withOrm(async (orm) => {
        const em = sqlEm(orm);
        const tenant = (await findTenantBySlug(em, opts.tenant)) ?? (await createTenant(em, { slug: opts.tenant, name: opts.tenant }));
        await seedCustomers(em, tenant.id, opts.customers, new Date(), (done) => process.stdout.write(`\rseeded ${done}/${opts.customers}`));
        process.stdout.write('\n');
        console.log(`Seeded ${opts.customers} customers into tenant "${tenant.slug}"`);
      }),
    );

  const tenants = program.command('tenants').description('manage tenants');
  tenants
    .command('create')
    .requiredOption('--slug <slug>', 'url-safe identifier, e.g. acme')
    .requiredOption('--name <name>', 'display name')
    .option('--currency <code>', 'default ISO 4217 currency', 'USD')
    .option('--country <code>', 'default ISO 3166 country for phone numbers', 'US')
    .action(async (opts: { slug: string; name: string; currency: string; country: string }) =>
      withOrm(async (orm) => {
        const tenant = await createTenant(sqlEm(orm), { slug: opts.slug, name: opts.name, defaultCurrency: opts.currency, defaultCountry: opts.country });
        console.log(`Created tenant ${tenant.slug} (${tenant.id})`);
      }),
    );

  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--role <role>', `one of ${Object.values(Role).join(', ')} (secret keys)`)
    .option('--name <name>', 'what the key is for', 'cli')
    .option('--publishable', 'a publishable key (pk_…) for browsers; give its origins with --origin')
    .option('--origin <origin...>', 'allowed origin of a publishable key, e.g. https://shop.example.com (repeatable)')
    .action(async (opts: { tenant: string; role?: string; name: string; publishable?: boolean; origin?: string[] }) =>
      withOrm(async (orm) => {
        if (opts.publishable && opts.role) throw new InvalidArgumentError('--role is for secret keys; a publishable key has none');
        if (!opts.publishable && opts.origin) throw new InvalidArgumentError('--origin needs --publishable');
        if (!opts.publishable && !opts.role) throw new InvalidArgumentError(`--role is required: one of ${Object.values(Role).join(', ')}`);
        const role = (opts.role ?? '').toUpperCase() as Role;
        if (!opts.publishable && !Object.values(Role).includes(role)) throw new InvalidArgumentError(`--role must be one of ${Object.values(Role).join(', ')}`);
        const em = sqlEm(orm);
        const tenant = await findTenantBySlug(em, opts.tenant);
        if (!tenant) throw new InvalidArgumentError(`no tenant with slug "${opts.tenant}"`);
        if (opts.publishable) {
          const { key, apiKey } = await createPublishableKey(em, tenant.id, opts.name, opts.origin ?? []);
          console.log(`Created publishable key for ${tenant.slug} (origins: ${apiKey.allowedOrigins.join(', ')}):`);
          console.log(key);
          return;
        }
        const { key } = await createApiKey(em, tenant.id, role, opts.name);
        console.log(`Created ${role} key for ${tenant.slug}. It is shown only once:`);
        console.log(key);
      }),
    );

  program
    .command('schema')
    .description('write schema.graphql from the code')
    .option('--out <file>', 'output file', 'schema.graphql')
    .action(async (opts: { out: string }) => {
      await writeSchemaFile(opts.out);
      console.log(`Wrote ${opts.out}`);
    });

  for (const register of cliCommands) register(program);
  return program;
}

/** Runs the CLI; user mistakes print one line and exit 1, never a stack trace. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof AppError || error instanceof InvalidArgumentError) {
      console.error(`error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCli(process.argv);
}
