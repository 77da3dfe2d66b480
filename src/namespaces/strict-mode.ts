/**
 * Keto's strict mode: `feature_flags.strict_mode`, or `experimental_strict_mode` in the
 * `{location}` form of `namespaces`. The one place it is derived: the engine's settings
 * and the namespace manager's snapshots both ask here.
 */
export function strictModeOf(featureFlag: boolean | undefined, namespaces: unknown): boolean {
  if (featureFlag === true) return true;
  return typeof namespaces === 'object' && namespaces !== null && !Array.isArray(namespaces) && (namespaces as Record<string, unknown>).experimental_strict_mode === true;
}
