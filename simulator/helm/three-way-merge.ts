/**
 * How `helm upgrade` changes an object that already exists: Helm 3 computes a three-way strategic
 * merge patch from the manifest it rendered last time (original), the one it renders now
 * (modified) and the live object (helm/helm v3.16.0 pkg/kube/client.go createPatch, through
 * apimachinery's strategicpatch.CreateThreeWayMergePatch), and the API server applies it to the
 * live object. So what the chart sets wins, what the chart dropped goes, and what someone else added
 * that the chart never rendered stays: a key patched into cilium-config, or the `restartedAt`
 * annotation `kubectl rollout restart` put on the agents' pod template.
 *
 * Maps merge key by key; lists are replaced as a whole when the chart's differs from the live one
 * (strategic merge would merge lists of containers by name; the chart renders them whole, so the
 * result is the same for what the model's charts contain).
 */

type Json = unknown;

const isMap = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/**
 * The live value after the three-way patch: `original` is what the chart rendered before (undefined
 * for a value it did not render), `modified` what it renders now, `live` what the server holds.
 */
export function threeWayMerge(original: Json, modified: Json, live: Json): Json {
  if (!isMap(modified) || !isMap(live)) return modified;
  const result: Record<string, Json> = { ...live };
  const before = isMap(original) ? original : {};
  for (const [key, value] of Object.entries(modified)) {
    const current = live[key];
    if (current === undefined || jsonEqual(current, value)) result[key] = value;
    else result[key] = threeWayMerge(before[key], value, current);
  }
  // The deletions: what the chart rendered before and renders no more.
  for (const key of Object.keys(before)) if (!(key in modified)) delete result[key];
  return result;
}
