/**
 * Wire types of the Lambda Extensions API, shared by the client, the sandbox and the tests.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
 */

/** Why the environment shuts down. */
export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

/** Body of `event/next` for an invocation. */
export interface InvokeEvent {
  readonly eventType: 'INVOKE';
  /** Epoch ms at which the invocation times out. */
  readonly deadlineMs: number;
  readonly requestId: string;
  readonly invokedFunctionArn: string;
  readonly tracing?: { readonly type: string; readonly value: string };
}

/** Body of `event/next` when the environment shuts down. */
export interface ShutdownEvent {
  readonly eventType: 'SHUTDOWN';
  readonly shutdownReason: ShutdownReason;
  /** Epoch ms at which Lambda kills processes still alive. */
  readonly deadlineMs: number;
}

/** Any event `event/next` returns. */
export type ExtensionEvent = InvokeEvent | ShutdownEvent;

/** The lifecycle events an extension can register for. */
export type ExtensionEventType = ExtensionEvent['eventType'];

/** Body of a successful `register`; `accountId` only with `Lambda-Extension-Accept-Feature: accountId`. */
export interface RegisterResponse {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly handler: string;
  readonly accountId?: string;
}

/** The Extensions / Telemetry API error body. */
export interface ErrorResponse {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** HTTP header names of the Extensions API. */
export const HEADERS = {
  NAME: 'Lambda-Extension-Name',
  IDENTIFIER: 'Lambda-Extension-Identifier',
  ACCEPT_FEATURE: 'Lambda-Extension-Accept-Feature',
  EVENT_IDENTIFIER: 'Lambda-Extension-Event-Identifier',
  FUNCTION_ERROR_TYPE: 'Lambda-Extension-Function-Error-Type',
} as const;

/** Paths of the Extensions and Telemetry APIs under `http://${AWS_LAMBDA_RUNTIME_API}`. */
export const PATHS = {
  REGISTER: '/2020-01-01/extension/register',
  NEXT: '/2020-01-01/extension/event/next',
  INIT_ERROR: '/2020-01-01/extension/init/error',
  EXIT_ERROR: '/2020-01-01/extension/exit/error',
  TELEMETRY: '/2022-07-01/telemetry',
} as const;
