/**
 * The receiver's planned answers: a plan per signal, which wins over one shared plan set with
 * 'all'; each counts down its `times` and then lapses back to 200.
 */
import type { ResponsePlan, Signal } from './otlp-types.ts';

/** The answer to one request. */
export interface PlannedAnswer {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly delayMs: number;
}

export interface ResponsePlans {
  set(signal: Signal | 'all', plan: ResponsePlan | null): void;
  /** The answer for the next request of `signal`, consuming one of the plan's `times`. */
  next(signal: Signal): PlannedAnswer;
}

const OK: PlannedAnswer = { status: 200, retryAfterSeconds: undefined, delayMs: 0 };

interface Slot {
  readonly answer: PlannedAnswer;
  remaining: number;
}

function validate(plan: ResponsePlan): void {
  if (!Number.isInteger(plan.status) || plan.status < 200 || plan.status > 599) {
    throw new RangeError(`setResponse: status must be an integer in 200..599, got ${plan.status}`);
  }
  if (plan.retryAfterSeconds !== undefined && !(Number.isInteger(plan.retryAfterSeconds) && plan.retryAfterSeconds >= 0)) {
    throw new RangeError(`setResponse: retryAfterSeconds must be an integer >= 0, got ${plan.retryAfterSeconds}`);
  }
  if (plan.delayMs !== undefined && !(Number.isFinite(plan.delayMs) && plan.delayMs >= 0)) {
    throw new RangeError(`setResponse: delayMs must be >= 0, got ${plan.delayMs}`);
  }
  if (plan.times !== undefined && !(Number.isInteger(plan.times) && plan.times > 0)) {
    throw new RangeError(`setResponse: times must be an integer > 0, got ${plan.times}`);
  }
}

export function createResponsePlans(): ResponsePlans {
  const slots = new Map<Signal | 'all', Slot>();
  return {
    set(signal, plan) {
      if (plan !== null) validate(plan);
      if (signal === 'all') slots.clear();
      else slots.delete(signal);
      if (plan === null) return;
      const answer = { status: plan.status, retryAfterSeconds: plan.retryAfterSeconds, delayMs: plan.delayMs ?? 0 };
      slots.set(signal, { answer, remaining: plan.times ?? Number.POSITIVE_INFINITY });
    },
    next(signal) {
      const key = slots.has(signal) ? signal : 'all';
      const slot = slots.get(key);
      if (slot === undefined) return OK;
      slot.remaining -= 1;
      if (slot.remaining <= 0) slots.delete(key);
      return slot.answer;
    },
  };
}
