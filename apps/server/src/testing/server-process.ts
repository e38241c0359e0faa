import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The real server and CLI as child processes, the way `pnpm start` and operators run them. */
const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ServerRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `src/main.ts` or `src/cli.ts` under tsx with a minimal environment plus `env`. */
export function runScript(script: string, args: string[], env: Record<string, string>): ServerRun {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: "warn",
      TENANTRY_REFRESH_INTERVAL_SECONDS: "0",
      TENANTRY_SHUTDOWN_GRACE_SECONDS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    err += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Starts the server on a free port and waits for its banner's ready line; fails with its output
 * otherwise. Its stdout is a pipe, not a terminal: JSON log lines there, the banner on stderr.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerRun & { url: string }> {
  const port = await freePort();
  const server = runScript("src/main.ts", [], { PORT: String(port), ...env });
  const ready = new Promise<boolean>((resolve) => {
    const check = () => {
      if (server.stderr().includes("is ready at")) resolve(true);
    };
    server.child.stderr!.on("data", check);
    check();
  });
  if (!(await Promise.race([ready, server.exited.then(() => false)]))) {
    throw new Error(`the server did not start:\n${server.stdout()}\n${server.stderr()}`);
  }
  return { ...server, url: `http://127.0.0.1:${port}` };
}

/** A server's answer to one API request: its status and its parsed JSON body (null when empty). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ApiCaller {
  /** One request to `/api/v1{path}` with the key, whatever it answers. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** The same, for a request that must succeed: its body, or an error naming the answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The one way tests talk to a server's REST API with an API key. */
export function apiCaller(url: string, key: string): ApiCaller {
  const call: ApiCaller["call"] = async (method, path, body, headers) => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    call,
    async api<T>(method: string, path: string, body?: unknown) {
      const answer = await call(method, path, body);
      if (answer.status >= 300) {
        throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      return answer.body as T;
    },
  };
}
