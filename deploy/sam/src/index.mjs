// Sample function for the lambda-telemetry-otel layer. It only logs and returns: the extension
// turns each invocation, its log lines and its platform report into OTLP traces, metrics and logs.
export const handler = async (event, context) => {
  console.info('sample invoked', JSON.stringify({ keys: Object.keys(event ?? {}) }));
  if (event?.fail === true) throw new Error('failing on purpose, as asked by the event');
  return { ok: true, requestId: context.awsRequestId };
};
