/**
 * `PUT /2022-07-01/telemetry`: validates a subscription, records every attempt, and starts
 * delivery to the subscriber.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
 */
import type { ApiRequest } from './api-server.ts';
import type { SandboxContext } from './context.ts';
import { subscriptionEvent } from './event-factory.ts';
import { addSubscribeAttempt } from './extension-state.ts';
import type { ExtensionState } from './extension-state.ts';
import { extensionOf, invalidIdentifier } from './extensions-api.ts';
import { errorReply, isObject, parseJson } from './http-io.ts';
import type { ApiReply } from './http-io.ts';
import type { SubscriberListener } from './telemetry-hub.ts';
import { schemaRefusal } from './managed-instances.ts';
import { MANAGED_INSTANCES_SCHEMA } from '../telemetry/constants.ts';
import { validateSubscription } from './subscription.ts';

function listenerFor(ctx: SandboxContext, state: ExtensionState): SubscriberListener {
  const counters = state.delivery;
  return {
    onBatch(outcome) {
      if (outcome.ok) {
        counters.batches += 1;
        counters.events += outcome.events;
        counters.bytes += outcome.bytes;
      } else {
        counters.failures += 1;
        counters.droppedEvents += outcome.events;
        counters.lastError = outcome.error;
      }
      ctx.progress({
        type: 'delivery',
        extension: state.name,
        ok: outcome.ok,
        events: outcome.events,
        bytes: outcome.bytes,
        statusCode: outcome.statusCode,
      });
    },
    onOverflow() {
      counters.droppedEvents += 1;
      counters.lastError = 'queue full';
    },
    onClosed(undeliveredEvents) {
      counters.undeliveredEvents += undeliveredEvents;
    },
  };
}

interface Decision {
  readonly reply: ApiReply;
  readonly errorType: string | null;
}

function refused(statusCode: number, errorType: string, errorMessage: string): Decision {
  return { reply: errorReply(statusCode, errorType, errorMessage), errorType };
}

function decide(ctx: SandboxContext, state: ExtensionState, parsed: ReturnType<typeof parseJson>): Decision {
  if (ctx.refusal !== null) return refused(ctx.refusal.statusCode, ctx.refusal.errorType, ctx.refusal.errorMessage);
  if (!parsed.ok) return refused(400, 'ValidationError', 'request body is not valid JSON');
  if (ctx.managedInstances !== null && (!isObject(parsed.value) || parsed.value['schemaVersion'] !== MANAGED_INSTANCES_SCHEMA)) {
    return { reply: schemaRefusal(), errorType: 'ValidationError' };
  }
  const check = validateSubscription(parsed.value, ctx.supportedSchemaVersions);
  if (!check.ok) return refused(400, check.errorType, check.errorMessage);
  const { subscription } = check;
  state.subscription = {
    body: parsed.value,
    statusCode: 200,
    atMs: ctx.nowMs(),
    schemaVersion: subscription.schemaVersion,
    types: subscription.types,
    uri: subscription.uri.href,
    buffering: subscription.buffering,
  };
  ctx.hub.subscribe(state.name, subscription, listenerFor(ctx, state));
  ctx.hub.produce(subscriptionEvent(state.name, subscription.types));
  ctx.progress({
    type: 'subscribed',
    extension: state.name,
    schemaVersion: subscription.schemaVersion,
    types: subscription.types,
  });
  return { reply: { statusCode: 200, body: 'OK' }, errorType: null };
}

/** Handles a subscription request. */
export function subscribe(ctx: SandboxContext, req: ApiRequest): ApiReply {
  const state = extensionOf(ctx, req);
  if (state === undefined) return invalidIdentifier();
  const parsed = parseJson(req.body);
  const { reply, errorType } = decide(ctx, state, parsed);
  addSubscribeAttempt(state, {
    body: parsed.ok ? parsed.value : req.body,
    statusCode: reply.statusCode,
    errorType,
    atMs: ctx.nowMs(),
  });
  return reply;
}
