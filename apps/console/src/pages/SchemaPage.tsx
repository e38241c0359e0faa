import { PageHeader } from "../components/ui";

export function SchemaPage() {
  return <PageHeader title="SchemaPage" />;
}
