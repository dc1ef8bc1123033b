"""Sample Python function for the standalone lambda-telemetry-otel layer.

It only logs and returns: the extension (running on the node the layer bundles, since the
Python runtime has none) turns each invocation, its log lines and its platform report into
OTLP traces, metrics and logs.
"""

import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    logger.info("sample invoked %s", json.dumps({"keys": sorted((event or {}).keys())}))
    if (event or {}).get("fail") is True:
        raise RuntimeError("failing on purpose, as asked by the event")
    return {"ok": True, "requestId": context.aws_request_id}
