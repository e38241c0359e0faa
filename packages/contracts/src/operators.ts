import { z } from "zod";
import { query } from "./procedures.js";

export const operatorSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});

export const operatorsContract = {
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(operatorSchema) }) }),
};
