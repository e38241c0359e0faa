/**
 * `@tenantry/api/testing`: for tests and benchmarks only, never for a server or an app. The harness
 * (a migrated database with a workspace, a key and callers), the test clock, the router's catalog
 * the generated suites walk, and the few services tests and benchmarks reach directly.
 */
export { authenticateAccessToken } from "../access-tokens/service";
// The refresher renews what falls due within this lookahead; its test places expiries around it.
export { REFRESH_LOOKAHEAD_MS } from "../connections/refresh";
export { readConnectionCredentials } from "../connections/service";
export { validateConfig, validatorFor } from "../elements/config";
export { getElement, resolveElement } from "../elements/instances";
export { checkFieldValues, compileFieldSchema } from "../fields/field-schema";
export { type ProcedureEntry, procedureCatalog, proceduresOf } from "../procedures";
export { type CompiledRoute, compileRoutes, toJsonSchema } from "../rest/routes";
// A workspace a test inserts by hand needs the built-in roles bootstrap gives the default one.
export { ensureBuiltInRoles } from "../roles/service";
export { type TestClock, testClock } from "../shared/clock";
export { encodeCursor } from "../shared/cursor";
export { createHarness, HARNESS_PUBLIC_URL, type Harness } from "../testing/harness";
export {
  formatsOf,
  sealedValues,
  sealTheOldWay,
  seededTenant,
  seedSecrets,
  tokenFor,
} from "../testing/legacy-secrets";
export { windowOf } from "../usage/window";
