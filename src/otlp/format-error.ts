/**
 * A request body that is not a well-formed OTLP export request: malformed protobuf, nesting
 * deeper than the limit, malformed JSON, a wrong shape or an invalid id. OTLP/HTTP answers it
 * with 400 Bad Request and a google.rpc.Status whose message may be this error's message: it
 * names what is wrong and where, and quotes no more of the body than a field's path.
 * @example
 * try { decode('traces', body); } catch (error) { if (error instanceof OtlpFormatError) reply(400, error.message); }
 */
export class OtlpFormatError extends Error {
  override readonly name = 'OtlpFormatError';
  /** The HTTP status OTLP/HTTP prescribes for a body that cannot be decoded. */
  readonly statusCode = 400;
}
