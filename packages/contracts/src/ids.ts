/** Every entity id is `{prefix}_{uuidv7}`: sortable by creation time, typed by its prefix. */
export type IdPrefix =
  | "ws"
  | "key"
  | "tenant"
  | "scope"
  | "user"
  | "conn"
  | "app"
  | "role"
  | "act"
  | "sk"
  | "mbr"
  | "inv"
  | "grp"
  | "rb"
  | "perm"
  | "etpl"
  | "elem"
  | "op"
  | "ses"
  | "evt"
  | "whep"
  | "whatt";

const UUID_V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_${UUID_V7}$`);
}

export function isId(prefix: IdPrefix, value: string): boolean {
  return idPattern(prefix).test(value);
}
