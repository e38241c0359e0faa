// `@tenantry/widgets/usage-meter`: the usage meter and its headless hook (with the provider it needs).

export { TenantryProvider } from "../provider/TenantryProvider";
export type { UsageMeterProps } from "../usage-meter/UsageMeter";
export { UsageMeter } from "../usage-meter/UsageMeter";
export type { UsageItem, UsageState } from "../usage-meter/useUsage";
export { useUsage } from "../usage-meter/useUsage";
