import { eventsContract } from "@tenantry/contracts/events";
import { procedure, router, WORKSPACE } from "../trpc";
import { listEvents } from "./service";

export const eventsRouter = router({
  list: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/events",
        tags: ["Events"],
        summary: "Events in order, oldest first, after the given one (for hosts that pull)",
      },
    })
    .input(eventsContract.list.input)
    .output(eventsContract.list.output)
    .query(({ ctx, input }) => listEvents(ctx, input)),
});
