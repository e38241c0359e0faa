import { useQuery } from "@tanstack/react-query";
import { loadValidator } from "./field-model.js";

/** Starts loading the field validator; true once `checkValue` checks the whole schema. */
export function useValidatorReady(): boolean {
  const loaded = useQuery({
    queryKey: ["tenantry", "field-validator"],
    queryFn: loadValidator,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
  return loaded.data === true;
}
