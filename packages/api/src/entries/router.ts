/**
 * `@tenantry/api`: the router and how to call it, in process or behind a transport. The only way in
 * for code that serves or calls the API; hosts and widgets use `@tenantry/contracts` and
 * `@tenantry/client` instead.
 */
export { type Context, createContext } from "../context";
export { type AppRouter, appRouter, createCaller } from "../root";
