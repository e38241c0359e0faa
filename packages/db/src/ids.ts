import type { IdPrefix } from "@tenantry/contracts/ids";
import { v7 as uuidv7 } from "uuid";

export function newId<P extends IdPrefix>(prefix: P): `${P}_${string}` {
  return `${prefix}_${uuidv7()}`;
}
