// `@tenantry/widgets/connection-ui`: the connection UI and its headless hook (with the provider it needs).

export type { ConnectionUIProps } from "../connection-ui/ConnectionUI";
export { ConnectionUI } from "../connection-ui/ConnectionUI";
export type {
  AppEntry,
  CatalogApp,
  Connection,
  ConnectionNotice,
  ConnectionProblem,
  ConnectionStatus,
  ParametersOutcome,
} from "../connection-ui/useConnections";
export { useConnections } from "../connection-ui/useConnections";
export { TenantryProvider } from "../provider/TenantryProvider";
