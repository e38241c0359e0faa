// `@tenantry/widgets/connection-ui`: the connection UI and its headless hook (with the provider it needs).

export type { ConnectionUIProps } from "../connection-ui/ConnectionUI.js";
export { ConnectionUI } from "../connection-ui/ConnectionUI.js";
export type {
  AppEntry,
  CatalogApp,
  Connection,
  ConnectionNotice,
  ConnectionProblem,
  ConnectionStatus,
  ParametersOutcome,
} from "../connection-ui/useConnections.js";
export { useConnections } from "../connection-ui/useConnections.js";
export { TenantryProvider } from "../provider/TenantryProvider.js";
