/**
 * Client of the Lambda Extensions API: register, the `event/next` long poll, and error
 * reporting. Failures of the API itself reject with an {@link ExtensionError}.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
 */
import { ERROR_TYPES, ExtensionError } from '../util/errors.ts';
import type { ErrorType } from '../util/errors.ts';
import { describeError, send } from './http.ts';
import type { HttpResponse } from './http.ts';
import { HEADERS, PATHS } from './types.ts';
import type { ExtensionEvent, ExtensionEventType, RegisterResponse } from './types.ts';

/** What `register` returned: the identifier for later calls and the function's details. */
export interface Registration extends RegisterResponse {
  /** Value of `Lambda-Extension-Identifier`, required by every later call. */
  readonly identifier: string;
  /** The name the extension registered under. */
  readonly extensionName: string;
}

export interface ExtensionsClient {
  register(extensionName: string, events: readonly ExtensionEventType[]): Promise<Registration>;
  /** Long-polls until Lambda hands out the next event; the process may be frozen meanwhile. */
  next(): Promise<ExtensionEvent>;
  /** Reports a fatal error during init (`init/error`) or after it (`exit/error`). */
  reportError(phase: 'init' | 'exit', errorType: string, errorMessage: string): Promise<void>;
}

const CALL_TIMEOUT_MS = 10_000;

/** Creates a client for the API at `runtimeApi` (`host:port`, from `AWS_LAMBDA_RUNTIME_API`). */
export function createExtensionsClient(runtimeApi: string): ExtensionsClient {
  let identifier = '';

  return {
    async register(extensionName, events) {
      const res = await call(runtimeApi, {
        method: 'POST',
        path: PATHS.REGISTER,
        headers: { [HEADERS.NAME]: extensionName, [HEADERS.ACCEPT_FEATURE]: 'accountId' },
        body: JSON.stringify({ events }),
        timeoutMs: CALL_TIMEOUT_MS,
      }, ERROR_TYPES.REGISTER_FAILED);
      const id = res.headers[HEADERS.IDENTIFIER.toLowerCase()];
      if (res.statusCode !== 200 || typeof id !== 'string' || id === '') {
        throw apiError(ERROR_TYPES.REGISTER_FAILED, 'register', res);
      }
      identifier = id;
      const body = parseObject(res.body);
      return {
        identifier,
        extensionName,
        functionName: stringField(body, 'functionName'),
        functionVersion: stringField(body, 'functionVersion'),
        handler: stringField(body, 'handler'),
        accountId: typeof body.accountId === 'string' ? body.accountId : undefined,
      };
    },

    async next() {
      const res = await call(runtimeApi, {
        method: 'GET',
        path: PATHS.NEXT,
        headers: { [HEADERS.IDENTIFIER]: identifier },
        timeoutMs: 0,
      }, ERROR_TYPES.RUNTIME_API_FAILED);
      if (res.statusCode !== 200) throw apiError(ERROR_TYPES.RUNTIME_API_FAILED, 'event/next', res);
      const event = parseObject(res.body);
      if (event.eventType !== 'INVOKE' && event.eventType !== 'SHUTDOWN') {
        throw new ExtensionError(ERROR_TYPES.RUNTIME_API_FAILED, `event/next returned unknown eventType ${String(event.eventType)}`);
      }
      return event as unknown as ExtensionEvent;
    },

    async reportError(phase, errorType, errorMessage) {
      await call(runtimeApi, {
        method: 'POST',
        path: phase === 'init' ? PATHS.INIT_ERROR : PATHS.EXIT_ERROR,
        headers: { [HEADERS.IDENTIFIER]: identifier, [HEADERS.FUNCTION_ERROR_TYPE]: errorType },
        body: JSON.stringify({ errorType, errorMessage, stackTrace: [] }),
        timeoutMs: CALL_TIMEOUT_MS,
      }, ERROR_TYPES.RUNTIME_API_FAILED);
    },
  };
}

/** Sends with the identifier, turning network failures into coded errors. */
export async function call(
  runtimeApi: string,
  req: Omit<Parameters<typeof send>[0], 'authority'>,
  errorType: ErrorType,
): Promise<HttpResponse> {
  try {
    return await send({ ...req, authority: runtimeApi });
  } catch (cause) {
    throw new ExtensionError(errorType, `${req.method} ${req.path} failed: ${(cause as Error).message}`, { cause });
  }
}

/** An error for a non-success answer, carrying Lambda's own errorType in the message. */
export function apiError(
  errorType: ErrorType,
  what: string,
  res: HttpResponse,
): ExtensionError {
  const { errorType: lambdaType, errorMessage } = describeError(res);
  return new ExtensionError(errorType, `${what} refused with HTTP ${res.statusCode} ${lambdaType}: ${errorMessage}`);
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ExtensionError(ERROR_TYPES.RUNTIME_API_FAILED, `expected a JSON object from the Runtime API, got: ${text.slice(0, 200)}`);
}

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  return typeof value === 'string' ? value : '';
}
