import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { limiter, pool, type RunResult, run, tail } from "./proc";

/** The repository's root (this file is apps/customer-apps/src/pack.ts). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface PublishablePackage {
  name: string;
  version: string;
  dir: string;
  /** Other publishable packages it depends on (any dependency field): built before it. */
  dependsOn: string[];
}

interface PackageJson {
  name?: string;
  version?: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Every package under packages/* that is not `"private": true`, in build order (a package after the
 * publishable packages it depends on).
 */
export function publishablePackages(root = repoRoot): PublishablePackage[] {
  const found: PublishablePackage[] = [];
  const packagesDir = join(root, "packages");
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const manifest = join(packagesDir, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as PackageJson;
    if (pkg.private === true || !pkg.name || !pkg.version) continue;
    const deps = {
      ...pkg.dependencies,
      ...pkg.peerDependencies,
      ...pkg.optionalDependencies,
      ...pkg.devDependencies,
    };
    found.push({
      name: pkg.name,
      version: pkg.version,
      dir: join(packagesDir, entry.name),
      dependsOn: Object.keys(deps),
    });
  }
  const names = new Set(found.map((p) => p.name));
  for (const p of found) p.dependsOn = p.dependsOn.filter((d) => names.has(d) && d !== p.name);
  // Topological order; a cycle (there should be none) falls back to name order for what is left.
  const ordered: PublishablePackage[] = [];
  const pending = [...found].sort((a, b) => a.name.localeCompare(b.name));
  while (pending.length > 0) {
    const index = pending.findIndex((p) => p.dependsOn.every((d) => ordered.some((o) => o.name === d)));
    ordered.push(...pending.splice(index === -1 ? 0 : index, 1));
  }
  return ordered;
}

/** The file name npm and pnpm give a package's tarball: `@tenantry/client@0.1.0` → tenantry-client-0.1.0.tgz. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

export interface PackFailure {
  name: string;
  step: "build" | "pack";
  command: string;
  output: string;
}

export interface PackResult {
  /** Package name → absolute path of its tarball, for every package that built and packed. */
  tarballs: Record<string, string>;
  failures: PackFailure[];
  packages: PublishablePackage[];
}

/**
 * Builds (`pnpm --filter <name> run build`, in dependency order) and packs
 * (`pnpm --filter <name> pack --pack-destination <dest>`: workspace:* becomes the version, and
 * publishConfig applies, as on publish) every publishable package. A package whose build fails is
 * not packed, nor is any package that depends on it. Nothing is ever published.
 */
export async function packAll(
  dest: string,
  options: {
    log?: (line: string) => void;
    root?: string;
    /** Called once every build has ended (before packing), e.g. to start what needs built packages. */
    onBuilt?: () => void;
  } = {},
): Promise<PackResult> {
  const root = options.root ?? repoRoot;
  const log = options.log ?? (() => {});
  mkdirSync(dest, { recursive: true });
  const packages = publishablePackages(root);
  const failures: PackFailure[] = [];
  const failed = new Set<string>();
  const describe = (result: RunResult) =>
    result.timedOut ? tail(result.output) : `exit ${result.code}\n${tail(result.output)}`;

  // Two builds at once (a 2-core machine), each as soon as the packages it depends on are built.
  const done = new Map<string, Promise<boolean>>();
  const build = async (pkg: PublishablePackage): Promise<boolean> => {
    const depsBuilt = await Promise.all(pkg.dependsOn.map((d) => done.get(d) ?? Promise.resolve(true)));
    const blocked = pkg.dependsOn.find((_, i) => !depsBuilt[i]);
    if (blocked) {
      failed.add(pkg.name);
      failures.push({ name: pkg.name, step: "build", command: "-", output: `not built: ${blocked} failed` });
      return false;
    }
    const args = ["--filter", pkg.name, "run", "build"];
    const result = await slot(() => run("pnpm", args, { cwd: root, timeoutMs: 300_000 }));
    log(`build ${pkg.name}: ${result.ok ? "ok" : "FAILED"} (${(result.ms / 1000).toFixed(1)} s)`);
    if (!result.ok) {
      failed.add(pkg.name);
      failures.push({
        name: pkg.name,
        step: "build",
        command: `pnpm ${args.join(" ")}`,
        output: describe(result),
      });
    }
    return result.ok;
  };
  const slot = limiter(2);
  // In build order, so every package's dependencies are in `done` before it.
  for (const pkg of packages) done.set(pkg.name, build(pkg));
  await Promise.all(done.values());

  options.onBuilt?.();
  const tarballs: Record<string, string> = {};
  await pool(
    packages.filter((p) => !failed.has(p.name)),
    2,
    async (pkg) => {
      const args = ["--filter", pkg.name, "pack", "--pack-destination", dest];
      const result = await run("pnpm", args, { cwd: root, timeoutMs: 120_000 });
      const file = join(dest, tarballName(pkg.name, pkg.version));
      if (result.ok && existsSync(file)) {
        tarballs[pkg.name] = file;
        log(`pack ${pkg.name}: ${file}`);
      } else {
        const output = result.ok ? `${tail(result.output)}\n(no ${file} afterwards)` : describe(result);
        failures.push({ name: pkg.name, step: "pack", command: `pnpm ${args.join(" ")}`, output });
        log(`pack ${pkg.name}: FAILED`);
      }
    },
  );
  return { tarballs, failures, packages };
}
