// The fault-injection API that tests and the admin endpoint share: API faults (rules.ts) plus
// faults in the cloud's state: stock-outs, vSwitch IP exhaustion and spot reclaim.
import { z } from 'zod';
import type { Cloud } from '../model/cloud.js';
import { interruptSpotInstance } from '../model/compute.js';
import { exhaustionOwner } from '../model/network.js';
import type { CapacityType } from '../model/offerings.js';
import { FaultRules, type FaultRuleInput } from './rules.js';

export const stockSelectorSchema = z.object({
  /** Absent: every instance type. */
  instanceType: z.string().optional(),
  /** Absent: every zone of the region. */
  zone: z.string().optional(),
  /** Absent: both spot and on-demand. */
  capacityType: z.enum(['spot', 'on-demand']).optional(),
});
export type StockSelector = z.infer<typeof stockSelectorSchema>;

export class Faults {
  readonly rules: FaultRules;

  constructor(
    private readonly cloud: Cloud,
    seed: number,
  ) {
    this.rules = new FaultRules(seed, () => cloud.now().getTime());
  }

  /** Adds any API fault rule; returns its id (for removeRule). */
  add(rule: FaultRuleInput): number {
    return this.rules.add(rule);
  }

  removeRule(id: number): boolean {
    return this.rules.remove(id);
  }

  /** Throttles an action (or all): with a probability, a number of times, or above a rate. */
  throttle(opts: { action?: string; code?: 'Throttling' | 'Throttling.User'; probability?: number; times?: number; ratePerSecond?: number; burst?: number }): number {
    return this.rules.add({ kind: 'throttle', ...opts });
  }

  /** Answers an action with an error code, `times` times or with a probability. */
  error(opts: { action: string; code: string; message?: string; httpStatus?: number; times?: number; probability?: number }): number {
    return this.rules.add({ kind: 'error', ...opts });
  }

  serverError(opts: { action?: string; httpStatus?: 500 | 503; times?: number; probability?: number }): number {
    return this.rules.add({ kind: 'serverError', ...opts });
  }

  latency(opts: { action?: string; ms: number; times?: number; probability?: number }): number {
    return this.rules.add({ kind: 'latency', ...opts });
  }

  private stockKeys(selector: StockSelector): { instanceType: string; zone: string; capacityType: CapacityType }[] {
    const types = selector.instanceType ? [selector.instanceType] : [...this.cloud.catalog.instanceTypes.keys()];
    const zones = selector.zone ? [selector.zone] : [...this.cloud.zones];
    const capacityTypes: CapacityType[] = selector.capacityType ? [selector.capacityType] : ['spot', 'on-demand'];
    return types.flatMap((instanceType) => zones.flatMap((zone) => capacityTypes.map((capacityType) => ({ instanceType, zone, capacityType }))));
  }

  /** Sets the stock of the selected offerings (0 is a stock-out); undefined makes them plentiful again. */
  setStock(selector: StockSelector, count: number | undefined): void {
    for (const key of this.stockKeys(selector)) this.cloud.offerings.setStock(key, count);
  }

  stockOut(selector: StockSelector): void {
    this.setStock(selector, 0);
  }

  restock(selector: StockSelector = {}): void {
    if (!selector.instanceType && !selector.zone && !selector.capacityType) this.cloud.offerings.clearStockOverrides();
    else this.setStock(selector, undefined);
  }

  /** Takes every free address of a vSwitch; returns how many. */
  exhaustVSwitch(vSwitchId: string): number {
    const pool = this.cloud.vSwitch(vSwitchId).pool;
    const count = pool.available;
    pool.allocate(exhaustionOwner, count);
    return count;
  }

  /** Gives back what exhaustVSwitch took. */
  restoreVSwitch(vSwitchId: string): number {
    return this.cloud.vSwitch(vSwitchId).pool.releaseOwner(exhaustionOwner);
  }

  /** Signals a spot interruption now; the instance is released after `noticeMs`. Returns the termination time. */
  reclaimSpot(instanceId: string, opts: { noticeMs?: number } = {}): string {
    return interruptSpotInstance(this.cloud, instanceId, opts.noticeMs);
  }

  /** Removes every API fault rule and stock override (exhausted vSwitches stay exhausted). */
  clear(): void {
    this.rules.clear();
    this.cloud.offerings.clearStockOverrides();
  }
}
