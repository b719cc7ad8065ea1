/**
 * RFC 7396 JSON Merge Patch: members of `patch` replace those of `target`, objects merge
 * member by member at every depth, `null` removes a member, and anything else (arrays included)
 * replaces the whole value. So PATCH `{"answerDetection":{"enabled":true}}` turns detection on
 * and keeps the campaign's tuned thresholds.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = mergePatch(merged[key], value);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
