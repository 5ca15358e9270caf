import DataLoader from 'dataloader';
import type { Em } from '../db/orm.js';
import { parseJson } from '../db/json-column.js';
import { pgArray, queryPrepared } from '../db/prepared.js';
import type { BgNbdParams } from './bgnbd.js';
import type { GammaGammaParams } from './gamma-gamma.js';

/** The parameters of the two models a customer was scored with (null: no such model, or none fitted). */
export interface ModelSet {
  bgnbd: BgNbdParams | null;
  gammaGamma: GammaGammaParams | null;
}

/**
 * Value models' parameters, parsed, held for the life of the process. A value_model row is
 * inserted once per fit under a new id and never changed (recompute.service.ts), so what was read
 * once stays true. Metrics reads carry only the model ids; the predictions at another horizon
 * (`predictedClv(months)`, `expectedPurchases(days)`) take the parameters from here. Joining
 * value_model twice into every metrics row cost a list page ≈ 20 % of its PostgreSQL CPU
 * (bench/README.md, Load), for parameters that most pages never use.
 */
const held = new Map<string, unknown>();
/** A tenant fits a model pair per recompute; a few hundred tenants' current models fit easily. */
const MAX_HELD = 2000;

const heldKey = (tenantId: string, id: string) => `${tenantId}/${id}`;

/**
 * The models of one statement's metrics rows: `of(ids)` answers at once when the parameters are
 * held, or reads the missing ones — every row of the statement that needs them in one statement.
 */
export class ValueModels {
  private loader: DataLoader<string, unknown> | null = null;

  constructor(
    private readonly em: Em,
    private readonly tenantId: string,
  ) {}

  of(bgnbdModelId: string | null, gammaGammaModelId: string | null): ModelSet | Promise<ModelSet> {
    const bgnbd = this.params(bgnbdModelId);
    const gammaGamma = this.params(gammaGammaModelId);
    if (bgnbd instanceof Promise || gammaGamma instanceof Promise) {
      return Promise.all([bgnbd, gammaGamma]).then(([b, g]) => ({ bgnbd: b as BgNbdParams | null, gammaGamma: g as GammaGammaParams | null }));
    }
    return { bgnbd: bgnbd as BgNbdParams | null, gammaGamma: gammaGamma as GammaGammaParams | null };
  }

  private params(id: string | null): unknown {
    if (id == null) return null;
    const key = heldKey(this.tenantId, id);
    if (held.has(key)) return held.get(key);
    this.loader ??= new DataLoader((ids) => this.read(ids));
    return this.loader.load(id);
  }

  private async read(ids: readonly string[]): Promise<unknown[]> {
    const rows = await queryPrepared<{ id: string; params: unknown }>(
      this.em,
      'select id, params from value_model where tenant_id = ? and id = any(?::uuid[])',
      [this.tenantId, pgArray(ids)],
    );
    const byId = new Map(rows.map((row) => [row.id, parseJson(row.params)]));
    return ids.map((id) => {
      if (!byId.has(id)) return null; // not (yet) visible: nothing to hold
      if (held.size >= MAX_HELD) held.delete(held.keys().next().value!);
      held.set(heldKey(this.tenantId, id), byId.get(id));
      return byId.get(id);
    });
  }
}

/** For tests: forget every held model, as a fresh process would. */
export function forgetValueModels(): void {
  held.clear();
}
