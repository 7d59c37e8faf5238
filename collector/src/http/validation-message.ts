/** What fastify's validator reports for one failed rule (ajv's error object). */
export interface RuleFailure {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * Pure: one sentence naming the offending field, e.g.
 * `field "os.arch" is required` or `field "os.type" must NOT have more than 64 characters`.
 * ajv's own text says "must NOT have additional properties" without saying which.
 */
export function describeFailure(failure: RuleFailure): string {
  const path = failure.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (failure.keyword === 'required') {
    return `field "${[...path, String(failure.params.missingProperty)].join('.')}" is required`;
  }
  if (failure.keyword === 'additionalProperties') {
    return `field "${[...path, String(failure.params.additionalProperty)].join('.')}" is not collected here`;
  }
  const field = path.length > 0 ? `field "${path.join('.')}"` : 'the body';
  return `${field} ${failure.message ?? 'is invalid'}`;
}
