// `@tenantry/widgets/usage-meter`: the usage meter and its headless hook (with the provider it needs).

export { TenantryProvider } from "../provider/TenantryProvider.js";
export type { UsageMeterProps } from "../usage-meter/UsageMeter.js";
export { UsageMeter } from "../usage-meter/UsageMeter.js";
export type { UsageItem, UsageState } from "../usage-meter/useUsage.js";
export { useUsage } from "../usage-meter/useUsage.js";
