import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { IssuerAlgorithm, IssuerSettings, IssuerStats, SignRequest } from "./jwks-issuer";

/** The JWKS issuer in its own OS process, driven over HTTP like a real identity provider. */
export interface JwksIssuerProcess {
  /** The issuer's URL, also the default `iss` of its tokens. */
  url: string;
  jwksUrl: string;
  sign(request?: SignRequest): Promise<string>;
  /** A new current key; the old one stays published only with `keepPrevious`. */
  rotate(options?: { keepPrevious?: boolean }): Promise<string>;
  configure(settings: Partial<IssuerSettings>): Promise<void>;
  stats(): Promise<IssuerStats>;
  stop(): Promise<void>;
}

const main = fileURLToPath(new URL("./jwks-issuer-main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

export async function startJwksIssuerProcess(
  options: { alg?: IssuerAlgorithm } = {},
): Promise<JwksIssuerProcess> {
  const child: ChildProcess = spawn(tsx, [main, "--alg", options.alg ?? "ES256"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = await new Promise<{ url: string; jwksUrl: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(JSON.parse(line) as { url: string; jwksUrl: string }));
    child.once("exit", (code) => reject(new Error(`JWKS issuer exited with ${code} before it was ready`)));
  });
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${ready.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`issuer control ${path} answered ${response.status}`);
    return response.json();
  };
  return {
    url: ready.url,
    jwksUrl: ready.jwksUrl,
    sign: async (request = {}) => ((await control("/_control/sign", request)) as { token: string }).token,
    rotate: async (rotation = {}) => ((await control("/_control/rotate", rotation)) as { kid: string }).kid,
    configure: async (settings) => void (await control("/_control/settings", settings)),
    stats: () => control("/_control/stats") as Promise<IssuerStats>,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
