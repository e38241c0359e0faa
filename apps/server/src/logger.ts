import { errorForLog } from "@tenantry/api/http";
import pino, { type DestinationStream, type Logger } from "pino";

export type LogFormat = "pretty" | "json";

/** Human lines for a person at a terminal; JSON lines for whatever collects a pipe or a file. */
export function logFormatFor(stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY ? "pretty" : "json";
}

/** The server's logger, writing synchronously to stdout so its lines never land inside another write. */
export function createLogger(options: { level: string; format: LogFormat }): Logger {
  const destination: DestinationStream =
    options.format === "pretty"
      ? { write: (line: string) => void process.stdout.write(prettyLogLine(line)) }
      : pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: "tenantry" },
      // Errors are logged without request values (a database error as its SQL shape and code), and
      // nothing a caller authenticates with or sends is ever written, wherever a log line puts it.
      serializers: { err: errorForLog, error: errorForLog },
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          "headers.authorization",
          "headers.cookie",
          "req.body",
          "body",
          "input",
          "params",
          "err.params",
          "err.cause.params",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
/** Said by every line, or by the line's own words: left out of the pretty form. */
const IMPLIED = new Set(["level", "time", "msg", "pid", "hostname", "service"]);

/**
 * One pino JSON line as a person reads it: `08:15:02 WARN  message  key=value …` (local time).
 * Anything that is not a JSON object passes through unchanged.
 */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== "object") return line;
  const time = typeof entry.time === "number" ? new Date(entry.time) : new Date();
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const details = Object.entries(entry)
    .filter(([key]) => !IMPLIED.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return `${[`${clock} ${level}`, String(entry.msg ?? ""), ...details].join("  ")}\n`;
}
