/**
 * Coded start-up errors. Each carries the `errorType` reported to Lambda through
 * `init/error` or `exit/error` (header `Lambda-Extension-Function-Error-Type`).
 */

/** Error types this extension reports to Lambda; `Extension.` is the prefix Lambda expects. */
export const ERROR_TYPES = {
  CONFIG_INVALID: 'Extension.ConfigInvalid',
  REGISTER_FAILED: 'Extension.RegisterFailed',
  SUBSCRIPTION_FAILED: 'Extension.SubscriptionFailed',
  LISTENER_FAILED: 'Extension.ListenerFailed',
  RUNTIME_API_FAILED: 'Extension.RuntimeApiFailed',
  PROCESSOR_FAILED: 'Extension.ProcessorFailed',
} as const;

/** An error type this extension reports itself. */
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

/**
 * A fatal problem of the extension, with the Lambda error type to report it under
 * (`Extension.<Reason>`). A processor throws one to stop the extension; any other error a
 * processor throws is logged and the extension goes on.
 * @example
 * throw new ExtensionError('Extension.DestinationMissing', 'set MY_DESTINATION_URL');
 */
export class ExtensionError extends Error {
  override readonly name = 'ExtensionError';

  constructor(
    /** Reported as `Lambda-Extension-Function-Error-Type`, e.g. `Extension.ConfigInvalid`. */
    readonly errorType: ErrorType | `Extension.${string}`,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
