import { createStoryWorld, type StoryWorld } from "../testing/browser-backend.js";

/** The element stories' world: a workspace with a sync flow template and a contact field mapping. */
export interface ElementStoryOptions {
  scope?: string;
  locale?: string;
  invalidToken?: boolean;
  /** The tenant customizes /schedule/every, then the host moves the template on under it. */
  outdated?: boolean;
}

export const SYNC_SCHEMA = {
  type: "object",
  properties: {
    schedule: {
      type: "object",
      title: "Schedule",
      "x-order": 1,
      properties: {
        every: { type: "integer", minimum: 5, maximum: 1440, title: "Every (minutes)", "x-order": 1 },
        enabled: { type: "boolean", title: "Enabled", "x-order": 2 },
      },
    },
    label: { type: "string", title: "Label", maxLength: 40, "x-order": 2 },
    conflicts: { type: "string", title: "On conflict", enum: ["skip", "overwrite"], "x-order": 3 },
  },
};

export const SYNC_DEFINITION = {
  schedule: { every: 60, enabled: true },
  label: "Contact sync",
  conflicts: "skip",
};

export async function createElementWorld(options: ElementStoryOptions): Promise<StoryWorld> {
  const world = await createStoryWorld({
    scope: options.scope ?? "elements:read elements:write",
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.invalidToken ? { invalidToken: true } : {}),
  });
  const template = await world.api.elementTemplates.create({
    type: "flow",
    key: "contact-sync",
    name: "Contact sync",
    definition: SYNC_DEFINITION,
    configSchema: SYNC_SCHEMA,
  });
  await world.api.elementTemplates.create({
    type: "data_source",
    key: "contacts",
    name: "Contacts",
    definition: {
      fields: {
        email: { title: "E-mail" },
        full_name: { title: "Full name" },
        company: { title: "Company" },
      },
    },
  });
  await world.api.elementTemplates.create({
    type: "field_mapping",
    key: "contacts-sync",
    name: "Contacts",
    dataSourceKey: "contacts",
    direction: "both",
    definition: {
      import: { email: { field: "email" }, name: { field: "full_name" }, source: { value: "crm" } },
      export: { email: { field: "email" } },
    },
    configSchema: {
      type: "object",
      properties: {
        import: {
          type: "object",
          properties: {
            email: { type: "object", title: "Email" },
            name: { type: "object", title: "Name" },
            source: { type: "object", title: "Source" },
          },
        },
        export: { type: "object", properties: { email: { type: "object", title: "Email" } } },
      },
    },
  });
  if (options.outdated) {
    const element = await world.api.elements.resolve({
      tenantId: world.tenantId,
      templateId: template.id,
      instanceKey: "",
    });
    // The first change creates the tenant's instance of the template.
    await world.api.elements.patch({
      tenantId: world.tenantId,
      templateId: template.id,
      instanceKey: "",
      revision: element.revision,
      overrides: { "/schedule/every": 15 },
    });
    await world.api.elementTemplates.update({
      id: template.id,
      revision: template.revision,
      definition: { ...SYNC_DEFINITION, label: "Contact sync v2", schedule: { every: 30, enabled: true } },
    });
  }
  return world;
}
