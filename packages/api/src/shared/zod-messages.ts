import {
  atLeast,
  atMost,
  isRequired,
  mustBeMultipleOf,
  mustBeOneOf,
  mustBeType,
  mustHaveFormat,
  mustMatchPattern,
} from "@tenantry/contracts/plain-messages";
import { z } from "zod";

function sizedKind(origin: string): "string" | "array" | "number" {
  if (origin === "string") return "string";
  if (origin === "array" || origin === "set") return "array";
  return "number";
}

/**
 * zod's default messages read like a library's internals ("Invalid input: expected string, received
 * undefined"). This map words every problem for a person, relative to the path it is reported
 * under. Messages a schema gives itself ("must be `role_` followed by a UUIDv7") still win.
 */
export const plainErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return isRequired;
      if (issue.expected === "nonoptional") return isRequired;
      return mustBeType(issue.expected);
    case "invalid_value":
      return mustBeOneOf(issue.values);
    case "too_big":
      if (issue.exact) return `must be exactly ${issue.maximum}`;
      return atMost(sizedKind(issue.origin), issue.maximum, issue.inclusive ?? true);
    case "too_small":
      if (issue.exact) return `must be exactly ${issue.minimum}`;
      return atLeast(sizedKind(issue.origin), issue.minimum, issue.inclusive ?? true);
    case "invalid_format":
      if (issue.format === "regex" && typeof issue.pattern === "string")
        return mustMatchPattern(issue.pattern);
      if (issue.format === "starts_with") return `must start with "${issue.prefix}"`;
      if (issue.format === "ends_with") return `must end with "${issue.suffix}"`;
      if (issue.format === "includes") return `must include "${issue.includes}"`;
      return mustHaveFormat(issue.format);
    case "not_multiple_of":
      return mustBeMultipleOf(Number(issue.divisor));
    case "unrecognized_keys":
      // `describeError` names each key as its own issue; this reads well on its own too.
      return `has unknown ${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.join(", ")}`;
    case "invalid_union":
      return "does not match any of the allowed forms";
    case "invalid_key":
      return "has a key that is not allowed";
    case "invalid_element":
      return "holds a value that is not allowed";
    default:
      return "is not valid";
  }
};

/** Installs the map for every zod parse in this process (tRPC's input parsing included). */
export function installPlainErrorMessages(): void {
  z.config({ customError: plainErrorMap });
}
